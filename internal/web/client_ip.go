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

// clientIPExtractor finds the client address that logs carry, for deployment behind
// CloudFront and an ALB. The ALB appends CloudFront's edge to X-Forwarded-For, and Echo's
// extractor, which trusts only private ranges, stops at that edge: every viewer would be
// logged as an Amazon address. CloudFront-Viewer-Address names the viewer itself.
//
// The header is believed only from a proxy on a private, loopback or link-local address (the
// ALB), so a client reaching the server directly cannot choose the address it is logged
// under. Anyone able to reach the ALB without passing through CloudFront still can; the ALB's
// security group should admit CloudFront's managed prefix list only. The address is used
// for logs, never for access decisions.
func clientIPExtractor() echo.IPExtractor {
	xff := echo.ExtractIPFromXFFHeader()
	return func(req *http.Request) string {
		if v := req.Header.Get(headerViewerAddress); v != "" && fromProxy(req) {
			if ip, ok := parseViewerAddress(v); ok {
				return ip
			}
		}
		return xff(req)
	}
}

// fromProxy reports whether the connection comes from our own network, where the load
// balancer is.
func fromProxy(req *http.Request) bool {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
}

// parseViewerAddress reads CloudFront-Viewer-Address: "198.51.100.10:46532" for IPv4, and
// for IPv6 either "[2001:db8::1]:46532" or, as CloudFront documents it, the bare address with
// the port after its last colon ("2001:db8::1:46532"). A value without a port is accepted
// as a plain address.
func parseViewerAddress(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "[") {
		host, _, err := net.SplitHostPort(v)
		if err != nil {
			return "", false
		}
		v = host
	} else if i := strings.LastIndexByte(v, ':'); i >= 0 && isPort(v[i+1:]) {
		if ip, err := netip.ParseAddr(v[:i]); err == nil {
			return ip.Unmap().String(), true
		}
	}
	ip, err := netip.ParseAddr(v)
	if err != nil || ip.Zone() != "" {
		return "", false
	}
	return ip.Unmap().String(), true
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
