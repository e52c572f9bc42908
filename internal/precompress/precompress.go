// Package precompress is how cryptodash compresses an answer once and serves the stored bytes
// ever after: it picks the encoding a client accepts and compresses with gzip or brotli. Static
// files are compressed once per process, pages and API answers once per data version, so no
// request pays for compression that an earlier one already did.
package precompress

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

// Encoding is an HTTP content coding this server produces.
type Encoding string

// The codings, in the server's order of preference: brotli is some 10% smaller than gzip on
// our scripts and pages, and every current browser sends it over https.
const (
	Identity Encoding = ""
	Brotli   Encoding = "br"
	Gzip     Encoding = "gzip"
)

// MinSize is the smallest body worth compressing: below it the coding's framing eats the
// gain. It is the size the gzip middleware already used, so small answers look as they did.
const MinSize = 512

// Negotiate picks the coding for an Accept-Encoding header: the one with the highest q-value
// that this server makes, brotli before gzip on a tie, identity when neither is acceptable.
// "*" stands for any coding the header does not name; q=0 refuses one.
func Negotiate(acceptEncoding string) Encoding {
	return negotiate(acceptEncoding, []Encoding{Brotli, Gzip})
}

// NegotiateFast is Negotiate for an answer compressed while its client waits (a cache miss):
// gzip before brotli on a tie, since brotli's quality 2 took three to six times gzip's
// fastest level on our pages and API answers for 7-12% fewer bytes. A client that refuses
// gzip still gets brotli.
func NegotiateFast(acceptEncoding string) Encoding {
	return negotiate(acceptEncoding, []Encoding{Gzip, Brotli})
}

func negotiate(acceptEncoding string, order []Encoding) Encoding {
	if acceptEncoding == "" {
		return Identity
	}
	q := map[Encoding]float64{}
	star, hasStar := 0.0, false
	for part := range strings.SplitSeq(acceptEncoding, ",") {
		name, params, _ := strings.Cut(part, ";")
		weight := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				weight = f
			}
		}
		switch name = strings.ToLower(strings.TrimSpace(name)); name {
		case "*":
			star, hasStar = weight, true
		case string(Brotli), string(Gzip):
			q[Encoding(name)] = weight
		}
	}
	best, bestQ := Identity, 0.0
	for _, e := range order {
		w, named := q[e]
		if !named && hasStar {
			w = star
		}
		if w > bestQ {
			best, bestQ = e, w
		}
	}
	return best
}

// Level is how hard to compress: Best for bytes compressed once per process, Fast for an
// answer compressed on a cache miss while a client waits.
type Level int

// The compression levels.
const (
	Fast Level = iota
	Best
)

// Compress returns body in coding e. Brotli's best quality (11) takes seconds on ECharts for
// a tenth of its size, so Best stops at quality 6, which is a third of a second; gzip's best
// level costs little at any size. Fast is what a cache miss pays while its client waits, and
// what a flood of misses buys: gzip's fastest level and brotli's quality 2, each from a pool
// of encoders reset for every answer, since a brotli encoder allocates a megabyte or more of
// tables when it is made. Gzip is klauspost/compress's, whose fastest level took a third of
// the standard library's time on a dashboard page for a few percent more bytes (issue 21).
func Compress(e Encoding, body []byte, level Level) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(body) / 3)
	switch e {
	case Identity:
		return body, nil
	case Gzip:
		if level == Fast {
			w := fastGzip.Get().(*gzip.Writer)
			defer fastGzip.Put(w)
			w.Reset(&buf)
			return finish(w, body, &buf)
		}
		w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		return finish(w, body, &buf)
	case Brotli:
		if level == Fast {
			w := fastBrotli.Get().(*brotli.Writer)
			defer fastBrotli.Put(w)
			w.Reset(&buf)
			return finish(w, body, &buf)
		}
		return finish(brotli.NewWriterLevel(&buf, 6), body, &buf)
	default:
		return nil, fmt.Errorf("precompress: unknown encoding %q", e)
	}
}

var (
	fastGzip = sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
		return w
	}}
	fastBrotli = sync.Pool{New: func() any { return brotli.NewWriterLevel(nil, 2) }}
)

func finish(w io.WriteCloser, body []byte, buf *bytes.Buffer) ([]byte, error) {
	if _, err := w.Write(body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// NewWriter compresses what is written to it into w in coding e at the Fast level, for an
// answer too large to hold whole; Close flushes it and hands its encoder back to the pool.
func NewWriter(e Encoding, w io.Writer) io.WriteCloser {
	switch e {
	case Gzip:
		zw := fastGzip.Get().(*gzip.Writer)
		zw.Reset(w)
		return &pooled{WriteCloser: zw, put: func() { fastGzip.Put(zw) }}
	case Brotli:
		bw := fastBrotli.Get().(*brotli.Writer)
		bw.Reset(w)
		return &pooled{WriteCloser: bw, put: func() { fastBrotli.Put(bw) }}
	}
	return nopCloser{w}
}

type pooled struct {
	io.WriteCloser
	put func()
}

func (p *pooled) Close() error {
	err := p.WriteCloser.Close()
	p.put()
	return err
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
