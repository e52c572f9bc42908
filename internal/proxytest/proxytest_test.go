package proxytest_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/proxytest"
)

// echoServer answers every line with itself and reports on closed when a connection ends.
func echoServer(t *testing.T) (addr string, closed <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ends := make(chan struct{}, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { ends <- struct{}{} }()
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String(), ends
}

func dial(t *testing.T, p *proxytest.Proxy) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip sends a line and waits up to wait for it to come back.
func roundTrip(c net.Conn, wait time.Duration) error {
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return err
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err == nil && line != "ping\n" {
		return errors.New("echo garbled: " + line)
	}
	return err
}

func TestProxy(t *testing.T) {
	t.Parallel()
	addr, _ := echoServer(t)
	p := proxytest.New(t, addr)

	t.Run("forwards", func(t *testing.T) {
		if err := roundTrip(dial(t, p), 5*time.Second); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a reset is seen by the client at once", func(t *testing.T) {
		c := dial(t, p)
		if err := roundTrip(c, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		p.Reset()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := c.Read(make([]byte, 1))
		if !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("read after reset: %v, want connection reset", err)
		}
	})
	t.Run("one black-holed connection goes silent, the others pass", func(t *testing.T) {
		addr, serverClosed := echoServer(t)
		p := proxytest.New(t, addr)
		a, b := dial(t, p), dial(t, p)
		if err := roundTrip(a, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		if err := roundTrip(b, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		p.Conns()[0].Blackhole()
		if err := roundTrip(a, 200*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("black-holed connection: %v, want silence until the deadline", err)
		}
		if err := roundTrip(b, 5*time.Second); err != nil {
			t.Errorf("the other connection: %v", err)
		}
		// The client gives up; its close never crosses the black hole.
		a.Close()
		select {
		case <-serverClosed:
			t.Error("the server saw the black-holed client close")
		case <-time.After(200 * time.Millisecond):
		}
	})
	t.Run("a black hole takes new connections too, until restored", func(t *testing.T) {
		p.Blackhole()
		if err := roundTrip(dial(t, p), 200*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("new connection during a black hole: %v, want silence", err)
		}
		p.Restore()
		if err := roundTrip(dial(t, p), 5*time.Second); err != nil {
			t.Errorf("new connection after restore: %v", err)
		}
	})
}

// UpstreamAddr is the client address the target sees, which is how a test finds the proxied
// connection behind a session (pg_stat_activity.client_port).
func TestProxy_UpstreamAddrIsWhatTheTargetSees(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.Write([]byte(c.RemoteAddr().String() + "\n"))
		_, _ = io.Copy(io.Discard, c)
	}()
	p := proxytest.New(t, ln.Addr().String())
	c := dial(t, p)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	seen, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	conns := p.Conns()
	if len(conns) != 1 || conns[0].UpstreamAddr() == nil || conns[0].UpstreamAddr().String()+"\n" != seen {
		t.Errorf("the target saw %q; the proxy's connections %v", seen, conns)
	}
}

func TestProxy_URLPointsAtTheProxy(t *testing.T) {
	t.Parallel()
	p := proxytest.New(t, "127.0.0.1:5432")
	want := "postgres://app@" + p.Addr() + "/cryptodash?sslmode=disable"
	if got := p.URL("postgres://app@db.internal:5432/cryptodash?sslmode=disable"); got != want {
		t.Errorf("URL = %s, want %s", got, want)
	}
}

func TestProxy_RefuseResetsOpenAndNewConnectionsUntilRestore(t *testing.T) {
	addr, _ := echoServer(t)
	p := proxytest.New(t, addr)
	open := dial(t, p)
	if err := roundTrip(open, time.Second); err != nil {
		t.Fatal(err)
	}
	p.Refuse()
	if err := roundTrip(open, time.Second); err == nil {
		t.Error("an open connection still answers after Refuse")
	}
	c, err := net.Dial("tcp", p.Addr())
	if err == nil {
		defer c.Close()
		err = roundTrip(c, time.Second)
	}
	if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a new connection during Refuse: %v, want a reset at once", err)
	}
	p.Restore()
	if err := roundTrip(dial(t, p), time.Second); err != nil {
		t.Errorf("a new connection after Restore: %v", err)
	}
}
