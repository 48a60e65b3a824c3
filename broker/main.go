// Command tether-broker is Tether's server: accounts, channels, support
// sessions, events, signaling and TURN relay, on SQLite by default.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "tether-broker: under construction")
	os.Exit(1)
}
