// Package clock is the present as cryptodash reads it. Code that asks "what time is it" (the
// newest hour to fetch, today's date, an age on a page) calls Now; code that measures a
// duration or sets a deadline keeps time.Now, which this package never moves.
//
// A test binary started with CRYPTODASH_TEST_NOW set to an RFC 3339 instant begins its present
// at that instant, and the present then runs at the real rate. The whole suite can so be run as
// of a leap day or a daylight-saving change (make test-dates), and a test that passes today but
// fails on another date shows itself on the day it is written. Outside test binaries the
// variable is ignored: a served page never shows a made-up present.
package clock

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// TestNowVariable names the environment variable that moves a test binary's present.
const TestNowVariable = "CRYPTODASH_TEST_NOW"

var offset = mustOffset(os.Getenv(TestNowVariable), testing.Testing(), time.Now())

// Now is the present: the real time, unless a test binary was started as of another instant.
func Now() time.Time { return time.Now().Add(offset) }

// Offset is how far Now is from the real time: zero except in a test binary started with
// CRYPTODASH_TEST_NOW. Timestamps PostgreSQL writes with now() are real, so code comparing them
// with Now adds it.
func Offset() time.Duration { return offset }

func mustOffset(value string, inTest bool, real time.Time) time.Duration {
	d, err := parseOffset(value, inTest, real)
	if err != nil {
		// Only a test binary reaches this, and a suite that silently ran as of today instead of
		// the date it was asked for would prove nothing.
		panic(err)
	}
	return d
}

func parseOffset(value string, inTest bool, real time.Time) (time.Duration, error) {
	if value == "" || !inTest {
		return 0, nil
	}
	at, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: want an RFC 3339 instant such as 2028-02-29T12:00:00Z: %w", TestNowVariable, value, err)
	}
	return at.Sub(real), nil
}
