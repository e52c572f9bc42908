// Package proxytest is a TCP proxy for tests, to put between processes and a server they
// depend on (replicas and PostgreSQL) and break their connections the two ways a network
// breaks them: a reset, which both ends notice at once, and a black hole, which drops every
// byte silently so that neither end learns anything until its own timeouts fire. The proxy
// keeps reading both ends of a black-holed connection, so writes still succeed as they do
// into a real black hole, and a black-holed client's close never reaches the server: the
// server keeps the session, and whatever it holds, as it would behind a dead network.
//
// A test points a client at Addr (URL rewrites a database URL), then breaks one connection
// (Conns, UpstreamAddr to match pg_stat_activity.client_port) or all of them (Reset,
// Blackhole, Refuse, Restore).
package proxytest

import (
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// Proxy forwards every connection made to Addr to its target.
type Proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	conns   []*Conn
	silent  bool
	refused bool
	wg      sync.WaitGroup
}

// New starts a proxy on a free loopback port forwarding to target (host:port) and closes it
// when tb ends.
func New(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("proxy listen: %v", err)
	}
	p := &Proxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	tb.Cleanup(p.Close)
	return p
}

// Addr is the host:port clients connect to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL returns raw (a URL such as postgres://user@host:5432/db) with its host and port
// replaced by the proxy's, so a client opened on it goes through the proxy.
func (p *Proxy) URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic("proxytest: " + err.Error())
	}
	u.Host = p.Addr()
	return u.String()
}

// Conns returns the connections still open, in the order they were accepted.
func (p *Proxy) Conns() []*Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Conn, 0, len(p.conns))
	for _, c := range p.conns {
		if !c.closed.Load() {
			out = append(out, c)
		}
	}
	return out
}

// Reset resets every open connection; connections made later pass.
func (p *Proxy) Reset() {
	for _, c := range p.Conns() {
		c.Reset()
	}
}

// Blackhole silences every open connection and every later one until Restore: a later
// client's connect succeeds, and nothing it sends reaches the target.
func (p *Proxy) Blackhole() {
	p.mu.Lock()
	p.silent = true
	p.mu.Unlock()
	for _, c := range p.Conns() {
		c.Blackhole()
	}
}

// Refuse resets every open connection and every later one until Restore, at once, as a
// server that is restarting answers: both ends learn of it immediately.
func (p *Proxy) Refuse() {
	p.mu.Lock()
	p.refused = true
	p.mu.Unlock()
	p.Reset()
}

// Restore ends a black hole or a refusal: connections made from now on pass, and the black-holed ones
// are reset, since the bytes they lost broke them for good (a real network that heals would
// deliver them late; this one dropped them).
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.silent, p.refused = false, false
	p.mu.Unlock()
	for _, c := range p.Conns() {
		if c.silent.Load() {
			c.Reset()
		}
	}
}

// Close stops accepting, closes every connection at both ends and waits for the forwarding
// to stop.
func (p *Proxy) Close() {
	_ = p.ln.Close()
	p.mu.Lock()
	conns := p.conns
	p.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		c := &Conn{client: client}
		p.mu.Lock()
		silent, refused := p.silent, p.refused
		p.conns = append(p.conns, c)
		p.mu.Unlock()
		if refused {
			c.Reset()
			continue
		}
		if silent {
			// Behind a black hole the target never hears of the connection.
			c.silent.Store(true)
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				_, _ = io.Copy(io.Discard, client)
			}()
			continue
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			c.closed.Store(true)
			continue
		}
		c.server = server
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			c.pipe(client, server)
		}()
		go func() {
			defer p.wg.Done()
			c.pipe(server, client)
		}()
	}
}

// Conn is one proxied connection.
type Conn struct {
	client net.Conn
	// server is nil for a connection accepted while the proxy was black-holing.
	server net.Conn
	silent atomic.Bool
	closed atomic.Bool
}

// UpstreamAddr is the proxy's end of the connection to the target: the client address the
// target sees (for PostgreSQL, pg_stat_activity.client_addr and client_port). It is nil for
// a connection that never reached the target.
func (c *Conn) UpstreamAddr() net.Addr {
	if c.server == nil {
		return nil
	}
	return c.server.LocalAddr()
}

// Reset closes both ends with a TCP reset, as a crashed peer or a firewall would.
func (c *Conn) Reset() {
	for _, nc := range []net.Conn{c.client, c.server} {
		if tc, ok := nc.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
	}
	c.close()
}

// Blackhole drops everything either end sends from now on, and keeps both ends open.
func (c *Conn) Blackhole() { c.silent.Store(true) }

func (c *Conn) close() {
	c.closed.Store(true)
	_ = c.client.Close()
	if c.server != nil {
		_ = c.server.Close()
	}
}

// pipe copies from one end to the other until from closes. While silenced it reads and
// discards, and a close at either end is not passed on: it would never cross a black hole.
// The other end stays open until the proxy's Close.
func (c *Conn) pipe(from, to net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 && !c.silent.Load() {
			if _, werr := to.Write(buf[:n]); werr != nil && !c.silent.Load() {
				c.close()
				return
			}
		}
		if err != nil {
			if !c.silent.Load() {
				c.close()
			}
			return
		}
	}
}
