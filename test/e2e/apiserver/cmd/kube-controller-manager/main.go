// Command kube-controller-manager is the upstream Kubernetes controller manager, built from the
// k8s.io/kubernetes module pinned in ../../go.mod. kube-rx's end-to-end tests start it only when a
// test asks for it (for instance with --controllers=garbagecollector, so owner references and
// propagation policies are honoured by the real garbage collector).
package main

import (
	"os"
	_ "time/tzdata" // for CronJob time zone support

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go prometheus plugins
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric registration
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	command := app.NewControllerManagerCommand()
	os.Exit(cli.Run(command))
}
