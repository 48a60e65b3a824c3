// Command tether-broker is Tether's server: accounts, channels, support
// sessions and their queue, chat, files, audit and reports behind a JSON
// API, live events and WebRTC signaling over WebSocket, on SQLite by
// default. Run without arguments it serves with zero configuration; its
// admin subcommands work on the same data directory.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `usage: tether-broker [command] [flags]

commands:
  serve                 run the broker (default)
  owner create          create the first owner account
  technician add|list|disable
  group add|list|delete
  channel add|list|delete
  audit verify          check the audit log's hash chain
  audit export          write the audit log as CSV
  backup --to FILE      archive the data directory while the broker runs
  restore --from FILE   unpack a backup into an empty data directory
  health                exit 0 when the local broker's /healthz answers ok

Run "tether-broker <command> -h" for a command's flags.
`

// run dispatches a command line and returns the process exit code:
// 0 success, 1 failure, 2 bad usage.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || len(args[0]) > 0 && args[0][0] == '-' {
		return serve(ctx, args, stdout, stderr)
	}
	cmd, rest := args[0], args[1:]
	if cmd == "serve" {
		return serve(ctx, rest, stdout, stderr)
	}
	switch cmd {
	case "health":
		return health(ctx, rest, stdout, stderr)
	case "backup":
		return backupCmd(ctx, rest, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, rest, stdout, stderr)
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	sub := ""
	if len(rest) > 0 {
		sub, rest = rest[0], rest[1:]
	}
	a := &admin{stdin: stdin, stdout: stdout, stderr: stderr}
	var fn func(context.Context, []string) error
	switch cmd + " " + sub {
	case "owner create":
		fn = a.ownerCreate
	case "technician add":
		fn = a.technicianAdd
	case "technician list":
		fn = a.technicianList
	case "technician disable":
		fn = a.technicianDisable
	case "group add":
		fn = a.groupAdd
	case "group list":
		fn = a.groupList
	case "group delete":
		fn = a.groupDelete
	case "channel add":
		fn = a.channelAdd
	case "channel list":
		fn = a.channelList
	case "channel delete":
		fn = a.channelDelete
	case "audit verify":
		fn = a.auditVerify
	case "audit export":
		fn = a.auditExport
	default:
		fmt.Fprintf(stderr, "tether-broker: unknown command %q\n\n%s", cmd+" "+sub, usage)
		return 2
	}
	if err := fn(ctx, rest); err != nil {
		if u, ok := err.(usageError); ok {
			fmt.Fprintf(stderr, "tether-broker %s %s: %s\n", cmd, sub, string(u))
			return 2
		}
		fmt.Fprintf(stderr, "tether-broker %s %s: %s\n", cmd, sub, errorText(err))
		return 1
	}
	return 0
}

// usageError is a bad command line; the process exits with 2.
type usageError string

func (u usageError) Error() string { return string(u) }
