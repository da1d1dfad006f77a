// Package loopback chooses ports of 127.0.0.1 for servers that callscope's
// tests and benchmarks start in other processes (callscope serve,
// clickhouse-server).
//
// The usual trick, listening on port 0 and closing, hands out a port from
// Linux's ephemeral range (32768 and up). Between the close and the
// server's own bind, any outgoing connection of another test running at
// the same time may be given that same port, and the server then fails
// with "address already in use". Ports below that range are never given
// to outgoing connections, so choosing there leaves only the much rarer
// case of two choosers meeting on one port.
package loopback

import (
	"fmt"
	"math/rand/v2"
	"net"
)

// FreePort looks between these, below the ephemeral range.
const (
	rangeLow  = 20000
	rangeHigh = 32000
)

// FreePort returns a port of 127.0.0.1 that nothing listens on now.
func FreePort() (int, error) {
	for range 1000 {
		port := rangeLow + rand.IntN(rangeHigh-rangeLow)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port of 127.0.0.1 between %d and %d", rangeLow, rangeHigh)
}
