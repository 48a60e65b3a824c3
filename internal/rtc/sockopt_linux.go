package rtc

import (
	"net"
	"syscall"
)

type rawConn = syscall.RawConn

// setReceiveBuffer raises SO_RCVBUF. SO_RCVBUFFORCE passes net.core.rmem_max
// when the process may (CAP_NET_ADMIN); otherwise the plain option is capped
// by the kernel.
func setReceiveBuffer(c syscall.RawConn, n int) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		if syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, n) == nil {
			return
		}
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
	})
	if err != nil {
		return err
	}
	return serr
}

// effectiveReceiveBuffer reports the buffer the kernel granted (Linux
// doubles the asked value for bookkeeping; halve it back).
func effectiveReceiveBuffer(conn *net.UDPConn) int {
	rc, err := conn.SyscallConn()
	if err != nil {
		return 0
	}
	var v int
	_ = rc.Control(func(fd uintptr) {
		v, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
	})
	return v / 2
}
