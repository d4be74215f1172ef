// Command clientgo is benchmark P4's client-go anchor: the informer a Go user has, a
// SharedIndexInformer for pods with client-go's namespace index, filled from the same recorded
// responses as client-node's and kube-rx's informers (bench/p4Peer.ts). It has no target: it shows
// where the reference implementation of the informer machinery stands on the same stream.
//
// Reads the server from BENCH_SERVER (JSON, bench/lib/fakeServer.ts's ServerInfo) and
// `--mode=list|watch` like bench/p4Client.ts:
//   - list: the Reflector's own list (resourceVersion 0, pages of 500 through client-go's pager,
//     the paginated list kube-rx also defaults to), then its watch. Done when the handlers saw every pod.
//   - watch: the ListWatch's list answers an empty PodList at resourceVersion 1, so the cache is
//     filled by the recorded watch from resourceVersion 1. Done when the last event reached a handler.
//
// client-go >= 1.35 starts an informer with a streaming list (the WatchListClient feature gate,
// a watch with sendInitialEvents=true) instead of list pages. The replay front records list pages
// and the one watch from resourceVersion 1; a streaming list would be served live by the fake
// cluster and measure the server, not the client. The ListWatch therefore says it does not
// support watch-list semantics, which makes the Reflector fall back to the paginated list.
//
// Prints one `BENCH_RESULT {json}` line (p4Client.ts's P4Run) on stdout: wall time, events per
// second, the MODIFIED rate (watch mode), heap retained per cached pod (HeapAlloc after a forced GC
// with the informer alive, minus before it started, over the pod count) and the process's CPU time.
// Client-side rate limiting is off (QPS < 0), as in the other P4 clients, and the wire format is
// JSON, the format of the recorded responses.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

// serverInfo is the part of bench/lib/fakeServer.ts's ServerInfo this program reads.
type serverInfo struct {
	Token          string `json:"token"`
	KubeConfigYAML string `json:"kubeConfigYaml"`
	Pods           int    `json:"pods"`
	Modifications  int    `json:"modifications"`
}

// p4Run mirrors bench/p4Client.ts's P4Run.
type p4Run struct {
	Client         string   `json:"client"`
	Mode           string   `json:"mode"`
	Ms             float64  `json:"ms"`
	Events         int      `json:"events"`
	EventsPerSec   float64  `json:"eventsPerSec"`
	AddedMs        *float64 `json:"addedMs,omitempty"`
	ModifiedPerSec *float64 `json:"modifiedPerSec,omitempty"`
	BytesPerObject float64  `json:"bytesPerObject"`
	CPUMs          float64  `json:"cpuMs"`
	Error          string   `json:"error,omitempty"`
}

// paginatedListWatch is a ListWatch whose Reflector lists in pages instead of a streaming list
// (see the package comment): client-go's opt-out for clients without watch-list semantics.
type paginatedListWatch struct{ *cache.ListWatch }

func (paginatedListWatch) IsWatchListSemanticsUnSupported() bool { return true }

// heapAlloc is the live heap after a full collection (run twice so finalizers' garbage goes too).
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// cpuMs is this process's user + system CPU time.
func cpuMs() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec)*1000 + float64(t.Usec)/1000 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func arg(name, fallback string) string {
	for _, a := range os.Args[1:] {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return fallback
}

func main() {
	var info serverInfo
	if err := json.Unmarshal([]byte(os.Getenv("BENCH_SERVER")), &info); err != nil || info.Pods == 0 {
		fmt.Fprintf(os.Stderr, "clientgo: BENCH_SERVER must hold the bench server's JSON (%v)\n", err)
		os.Exit(2)
	}
	mode := arg("mode", "list")
	if mode != "list" && mode != "watch" {
		fmt.Fprintf(os.Stderr, "clientgo: --mode must be list or watch, not %q\n", mode)
		os.Exit(2)
	}
	config, err := clientcmd.RESTConfigFromKubeConfig([]byte(info.KubeConfigYAML))
	if err != nil {
		fmt.Fprintf(os.Stderr, "clientgo: kubeconfig: %v\n", err)
		os.Exit(2)
	}
	// clientcmd reads a kubeconfig's credentials only for a TLS server; the bench server is plain
	// HTTP on loopback, so the token is set here.
	config.BearerToken = info.Token
	config.QPS = -1 // no client-side rate limit, like the other P4 clients
	config.ContentType = "application/json"
	config.AcceptContentTypes = "application/json"
	n := info.Pods
	events := n
	if mode == "watch" {
		events = n + info.Modifications
	}

	before := heapAlloc()
	cpuBefore := cpuMs()
	start := time.Now()
	var addedAt time.Time
	informer, runErr := run(config, mode, n, events, &addedAt)
	elapsed := time.Since(start)
	cpu := cpuMs() - cpuBefore
	after := heapAlloc()
	runtime.KeepAlive(informer)

	ms := float64(elapsed.Nanoseconds()) / 1e6
	result := p4Run{
		Client:         "client-go",
		Mode:           mode,
		Ms:             ms,
		Events:         events,
		EventsPerSec:   float64(events) * 1000 / ms,
		BytesPerObject: (float64(after) - float64(before)) / float64(n),
		CPUMs:          cpu,
	}
	if mode == "watch" && !addedAt.IsZero() {
		added := float64(addedAt.Sub(start).Nanoseconds()) / 1e6
		modified := float64(info.Modifications) * 1000 / (ms - added)
		result.AddedMs, result.ModifiedPerSec = &added, &modified
	}
	if runErr != nil {
		result.Error = runErr.Error()
	}
	line, _ := json.Marshal(result)
	fmt.Printf("BENCH_RESULT %s\n", line)
	os.Exit(0)
}

// run starts the informer and returns it (still running, so its cache is alive for the heap
// measurement) once its handlers have seen `events` add/update notifications.
func run(config *rest.Config, mode string, n, events int, addedAt *time.Time) (cache.SharedIndexInformer, error) {
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	pods := client.CoreV1().Pods(metav1.NamespaceAll)
	lw := paginatedListWatch{&cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, options metav1.ListOptions) (kruntime.Object, error) {
			if mode == "watch" {
				return &corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: "1"}}, nil
			}
			return pods.List(ctx, options)
		},
		WatchFuncWithContext: func(ctx context.Context, options metav1.ListOptions) (watch.Interface, error) {
			return pods.Watch(ctx, options)
		},
	}}
	informer := cache.NewSharedIndexInformer(lw, &corev1.Pod{}, 0, cache.Indexers{
		cache.NamespaceIndex: cache.MetaNamespaceIndexFunc,
	})
	done := make(chan struct{})
	seen := 0 // handlers of one registration are called from one goroutine, in order
	count := func() {
		seen++
		if seen == n {
			*addedAt = time.Now()
		}
		if seen == events {
			close(done)
		}
	}
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { count() },
		UpdateFunc: func(any, any) { count() },
	}); err != nil {
		return nil, err
	}
	go informer.RunWithContext(context.Background())
	select {
	case <-done:
	case <-time.After(600 * time.Second):
		return informer, errors.New("timed out after 600 s")
	}
	if got := len(informer.GetIndexer().ListKeys()); got != n {
		return informer, fmt.Errorf("client-go cache holds %d pods", got)
	}
	return informer, nil
}
