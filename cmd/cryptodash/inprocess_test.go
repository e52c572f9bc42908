package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/simulator"
)

// stopWithin is how long a command has to return once its context ends, as after a SIGTERM;
// the container's stop timeout is longer, so a command slower than this is a defect.
const stopWithin = 40 * time.Second

// running is a cryptodash command (serve, demo) running in this process through run, exactly
// as main starts it, until the test stops it.
type running struct {
	name   string
	cancel context.CancelFunc
	// exited is closed once run has returned; err is what it returned.
	exited chan struct{}
	err    error

	once    sync.Once
	stopErr error
}

// startCommand runs cryptodash with args and env, writing to stdout and stderr. The test's end
// stops it if the test has not, failing the test if it returned an error or did not return
// within stopWithin.
func startCommand(t *testing.T, args []string, env map[string]string, stdout, stderr io.Writer) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{name: args[0], cancel: cancel, exited: make(chan struct{})}
	go func() {
		defer close(r.exited)
		r.err = run(ctx, args, envOf(env), stdout, stderr)
	}()
	t.Cleanup(func() {
		// A test that stopped the command has seen stop's error already.
		var stoppedHere bool
		r.once.Do(func() { stoppedHere = true; r.halt() })
		if stoppedHere && r.stopErr != nil {
			t.Errorf("%s: %v", r.name, r.stopErr)
		}
	})
	return r
}

// stop ends the command's context and waits for it to return; the error is what it returned,
// or that it did not return within stopWithin. Only the first call waits.
func (r *running) stop() error {
	r.once.Do(r.halt)
	return r.stopErr
}

func (r *running) halt() {
	r.cancel()
	select {
	case <-r.exited:
		r.stopErr = r.err
	case <-time.After(stopWithin):
		r.stopErr = errNotStopped
	}
}

// failIfExited fails the test at once when the command has returned, as one that stopped
// before it was ready will never become ready; show is the output the test shows with it.
func (r *running) failIfExited(t *testing.T, show ...fmt.Stringer) {
	t.Helper()
	select {
	case <-r.exited:
		t.Fatalf("%s stopped before it was ready: %v\n%s", r.name, r.err, show)
	default:
	}
}

var errNotStopped = fmt.Errorf("did not return within %s of its context ending", stopWithin)

// simulatorAPI serves a fresh CoinGecko simulator until the test ends, returning it (to set
// faults on) and the base URL a command takes as COINGECKO_BASE_URL. Called before a command
// starts, its server outlives the command, since cleanups run last first.
func simulatorAPI(t *testing.T) (*simulator.Simulator, string) {
	t.Helper()
	sim := simulator.New(simulator.Options{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL + "/api/v3"
}

// freePort is a TCP port free on the loopback when asked, for a server started after.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
