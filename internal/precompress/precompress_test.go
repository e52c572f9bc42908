package precompress_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/cryptodash/cryptodash/internal/precompress"
)

func TestNegotiate(t *testing.T) {
	for header, want := range map[string]precompress.Encoding{
		"":                          precompress.Identity,
		"gzip":                      precompress.Gzip,
		"gzip, deflate, br, zstd":   precompress.Brotli,
		"br;q=0.5, gzip":            precompress.Gzip,
		"br;q=0, gzip;q=0":          precompress.Identity,
		"*":                         precompress.Brotli,
		"*;q=0.1, gzip;q=0.2":       precompress.Gzip,
		"br;q=0, *":                 precompress.Gzip,
		"deflate, identity":         precompress.Identity,
		" GZIP ; Q=1 ":              precompress.Gzip,
		"gzip;q=bogus, br;q=0.0001": precompress.Gzip,
	} {
		if got := precompress.Negotiate(header); got != want {
			t.Errorf("Negotiate(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestCompress_RoundTrips(t *testing.T) {
	body := []byte(strings.Repeat(`{"date":"2026-11-01","price":91234.5678},`, 400))
	for _, level := range []precompress.Level{precompress.Fast, precompress.Best} {
		for _, e := range []precompress.Encoding{precompress.Identity, precompress.Gzip, precompress.Brotli} {
			coded, err := precompress.Compress(e, body, level)
			if err != nil {
				t.Fatal(err)
			}
			var r io.Reader = bytes.NewReader(coded)
			switch e {
			case precompress.Gzip:
				if r, err = gzip.NewReader(r); err != nil {
					t.Fatal(err)
				}
			case precompress.Brotli:
				r = brotli.NewReader(r)
			}
			plain, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(plain, body) {
				t.Errorf("%q at level %d: %d bytes back (%v)", e, level, len(plain), err)
			}
			if e != precompress.Identity && len(coded) >= len(body)/4 {
				t.Errorf("%q at level %d: %d of %d bytes", e, level, len(coded), len(body))
			}
		}
	}
}
