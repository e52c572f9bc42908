package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
)

// headerViewerAddress is where CloudFront puts the address of the viewer it served, as
// "ip:port". CloudFront adds it only when the distribution's origin request policy lists it;
// it is not part of the cache key, so adding it costs no hit ratio. Without it, this service
// falls back to X-Forwarded-For, which behind CloudFront names the edge, not the viewer.
const headerViewerAddress = "CloudFront-Viewer-Address"

// headerCloudFrontProto is the viewer's protocol as CloudFront sends it to the origin when the
// origin request policy lists it: behind CloudFront with an http-only origin, the ALB's
// X-Forwarded-Proto says http even though every viewer came over https.
const headerCloudFrontProto = "CloudFront-Forwarded-Proto"

// proxies are the peers whose forwarded headers are believed (TRUSTED_PROXIES): the load
// balancer. Everything that limits a client (the sign-in throttle) and everything that says
// how the client reached us (Secure cookies, HSTS) reads the client through here and never
// through Echo's own IP extraction, which believes X-Forwarded-For from any private peer and
// has an open advisory for limits built on it (GO-2026-6872). A request from any other peer
// is its own client, whatever headers it carries.
type proxies []netip.Prefix

func (p proxies) trusts(a netip.Addr) bool {
	for _, prefix := range p {
		if prefix.Contains(a) {
			return true
		}
	}
	return false
}

// peer is the address at the other end of the connection.
func peer(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// fromTrusted reports whether the connection comes from a trusted proxy.
func (p proxies) fromTrusted(r *http.Request) bool {
	a, ok := peer(r)
	return ok && p.trusts(a)
}

// client is the address of the client a request acts for. From a trusted proxy that is
// CloudFront's viewer address when present, or else the nearest address in X-Forwarded-For
// that no trusted proxy holds, read from the right, where each proxy appends the address it
// was reached from: the left of that header is whatever the client wrote. From any other
// peer it is the peer.
func (p proxies) client(r *http.Request) netip.Addr {
	a, ok := peer(r)
	if !ok || !p.trusts(a) {
		return a
	}
	if v := r.Header.Get(headerViewerAddress); v != "" {
		if viewer, ok := parseViewerAddress(v); ok {
			return viewer
		}
	}
	hops := strings.Split(strings.Join(r.Header.Values(echo.HeaderXForwardedFor), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// An unreadable hop was written by no proxy of ours; the last hop believed is
			// as far as the chain can be followed.
			return a
		}
		a = hop.Unmap().WithZone("")
		if !p.trusts(a) {
			return a
		}
	}
	return a
}

// clientIP is client as text, for logs and for Echo's RealIP.
func (p proxies) clientIP(r *http.Request) string {
	if a := p.client(r); a.IsValid() {
		return a.String()
	}
	return r.RemoteAddr
}

// overHTTPS reports whether the client reached us over https: on this connection, or, as a
// trusted proxy says (CloudFront's CloudFront-Forwarded-Proto first, since it knows the
// viewer's hop, then the ALB's X-Forwarded-Proto), on its way to the proxy. The Secure flag
// of the session cookie and HSTS both follow it.
func (p proxies) overHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !p.fromTrusted(r) {
		return false
	}
	if v := r.Header.Get(headerCloudFrontProto); v != "" {
		return strings.EqualFold(v, "https")
	}
	return strings.EqualFold(r.Header.Get(echo.HeaderXForwardedProto), "https")
}

// parseViewerAddress reads CloudFront-Viewer-Address: "198.51.100.10:46532" for IPv4, and
// for IPv6 either "[2001:db8::1]:46532" or, as CloudFront documents it, the bare address with
// the port after its last colon ("2001:db8::1:46532"). A value without a port is accepted
// as a plain address.
func parseViewerAddress(v string) (netip.Addr, bool) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "[") {
		host, _, err := net.SplitHostPort(v)
		if err != nil {
			return netip.Addr{}, false
		}
		v = host
	} else if i := strings.LastIndexByte(v, ':'); i >= 0 && isPort(v[i+1:]) {
		if ip, err := netip.ParseAddr(v[:i]); err == nil && ip.Zone() == "" {
			return ip.Unmap(), true
		}
	}
	ip, err := netip.ParseAddr(v)
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

func isPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
