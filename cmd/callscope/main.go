// Command callscope keeps voice and video call logs: it ingests the call-log
// categories of Azure Communication Services, stores them in tables that
// match Azure Monitor Log Analytics, and answers queries over them.
//
// Run "callscope" without arguments for the list of commands.
package main

import (
	"os"

	"github.com/callscope/callscope/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
