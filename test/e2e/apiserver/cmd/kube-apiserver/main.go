// Command kube-apiserver is the upstream Kubernetes API server, built from the k8s.io/kubernetes
// module pinned in ../../go.mod so kube-rx's end-to-end tests run against the real thing (the way
// controller-runtime's envtest does) without downloading a release binary.
package main

import (
	"os"
	_ "time/tzdata" // for timeZone support in CronJob

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go prometheus plugins
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric registration
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	command := app.NewAPIServerCommand()
	os.Exit(cli.Run(command))
}
