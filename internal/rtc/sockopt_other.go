//go:build !linux

package rtc

import (
	"net"
	"syscall"
)

type rawConn = syscall.RawConn

// setReceiveBuffer is done after the socket exists on other systems.
func setReceiveBuffer(syscall.RawConn, int) error { return nil }

func effectiveReceiveBuffer(*net.UDPConn) int { return 0 }
