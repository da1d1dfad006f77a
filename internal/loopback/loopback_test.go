package loopback

import (
	"fmt"
	"net"
	"testing"
)

// A chosen port is below the ephemeral range and can be bound at once.
func TestFreePort(t *testing.T) {
	for range 20 {
		port, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if port < rangeLow || port >= rangeHigh {
			t.Fatalf("port %d outside [%d, %d)", port, rangeLow, rangeHigh)
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatalf("port %d: %v", port, err)
		}
		l.Close()
	}
}
