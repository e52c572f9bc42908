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

func TestNegotiateFast(t *testing.T) {
	for header, want := range map[string]precompress.Encoding{
		"":                        precompress.Identity,
		"gzip, deflate, br, zstd": precompress.Gzip,
		"br":                      precompress.Brotli,
		"br, gzip;q=0":            precompress.Brotli,
		"br, gzip;q=0.5":          precompress.Brotli,
		"*":                       precompress.Gzip,
		"br;q=0, gzip;q=0":        precompress.Identity,
	} {
		if got := precompress.NegotiateFast(header); got != want {
			t.Errorf("NegotiateFast(%q) = %q, want %q", header, got, want)
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

// A miss flood buys one Fast compression per miss: gzip must run at its fastest level (the
// header's XFL byte says 4 for it), and encoders reused from the pool must start clean.
func TestCompress_FastIsCheap(t *testing.T) {
	body := bytes.Repeat([]byte(`{"coin":"bitcoin","currency":"USD","date":"2026-03-01 10:00:00","price":60000.125},`), 2000)
	out, err := precompress.Compress(precompress.Gzip, body, precompress.Fast)
	if err != nil {
		t.Fatal(err)
	}
	if out[8] != 4 {
		t.Errorf("gzip XFL = %d, want 4 (fastest level)", out[8])
	}
	for range 3 {
		for _, e := range []precompress.Encoding{precompress.Gzip, precompress.Brotli} {
			again, err := precompress.Compress(e, []byte("short"), precompress.Fast)
			if err != nil {
				t.Fatal(err)
			}
			if got := decompress(t, e, again); string(got) != "short" {
				t.Errorf("%s from a reused encoder: %q", e, got)
			}
		}
	}
}

func decompress(t *testing.T, e precompress.Encoding, coded []byte) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(coded)
	switch e {
	case precompress.Gzip:
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case precompress.Brotli:
		r = brotli.NewReader(r)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return plain
}
