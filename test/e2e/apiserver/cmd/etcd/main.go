// Command etcd is the upstream etcd server (go.etcd.io/etcd/server/v3/etcdmain), built from the
// module pinned in ../../go.mod, as the storage behind the end-to-end kube-apiserver.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
