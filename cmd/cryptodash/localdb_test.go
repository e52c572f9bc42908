//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// useFirstRun swaps the package's localPostgres for the test's, so that the machine's own
// server on 5432, which other tests use, stays up while this test sees no server there.
func useFirstRun(t *testing.T, p localPostgres) {
	t.Helper()
	saved := firstRun
	firstRun = p
	t.Cleanup(func() { firstRun = saved })
}

// closedAddr is a local address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// unreachableDefault is a localPostgres whose default server does not answer and whose
// private server lives in cache.
func unreachableDefault(t *testing.T, cache string, binGlobs []string) localPostgres {
	t.Helper()
	return localPostgres{
		defaultURL: "postgres://postgres@" + closedAddr(t) + "/cryptodash",
		binGlobs:   binGlobs,
		cacheDir:   func() (string, error) { return cache, nil },
	}
}

var privateLine = regexp.MustCompile(`(?m)^database: no PostgreSQL answers at \S+ and DATABASE_URL is not set, so cryptodash runs its own PostgreSQL \d+ from \S+ until it exits \(data kept in (\S+)\): (postgres://\S+)$`)

// firstRunProcess is one `cryptodash serve` or `cryptodash demo` run by a test.
type firstRunProcess struct {
	url     string // the dashboard
	dbURL   string // the private database, from the line that announced it
	dataDir string
	pid     int // the private postmaster
	stderr  *testkit.SyncBuffer
	stop    func()
}

// startFirstRun runs cryptodash with args and no DATABASE_URL, and waits until it has
// announced its private PostgreSQL and its dashboard answers /api/health with 200.
func startFirstRun(t *testing.T, args ...string) *firstRunProcess {
	t.Helper()
	port := freePort(t)
	env := map[string]string{
		"PATH":           os.Getenv("PATH"),
		"PORT":           strconv.Itoa(port),
		"FETCH_ON_START": "false",
		"FETCH_SCHEDULE": "off",
		"LOG_LEVEL":      "warn",
	}
	p := &firstRunProcess{url: "http://127.0.0.1:" + strconv.Itoa(port), stderr: &testkit.SyncBuffer{}}
	var stdout testkit.SyncBuffer
	r := startCommand(t, args, env, &stdout, p.stderr)
	p.stop = func() {
		if err := r.stop(); err != nil {
			t.Errorf("%s: %v\nstderr:\n%s\nlog:\n%s", args[0], err, p.stderr, &stdout)
		}
	}
	testkit.Eventually(t, 2*time.Minute, args[0]+" announces a private PostgreSQL and answers /api/health", func() (bool, string) {
		r.failIfExited(t, p.stderr, &stdout)
		m := privateLine.FindStringSubmatch(p.stderr.String())
		if m == nil || !healthy(p.url) {
			return false, fmt.Sprintf("\nstderr:\n%s\nlog:\n%s", p.stderr, &stdout)
		}
		p.dataDir, p.dbURL = m[1], m[2]
		return true, ""
	})
	pid, err := postmasterPID(p.dataDir)
	if err != nil || !alive(pid) {
		p.stop()
		t.Fatalf("no running postmaster for %s: pid %d, %v", p.dataDir, pid, err)
	}
	p.pid = pid
	return p
}

func healthy(base string) bool {
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(base + "/api/health")
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// postmasterPID reads the server's pid from the lock file PostgreSQL keeps in its data
// directory while it runs.
func postmasterPID(dataDir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(first))
}

func alive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}

// leftovers lists the processes still working in dataDir: every PostgreSQL process, the
// postmaster and each of its children, runs with the data directory as its working directory.
func leftovers(t *testing.T, dataDir string) []string {
	t.Helper()
	if runtime.GOOS != "linux" {
		return nil
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd")); err == nil && cwd == dataDir {
			cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			found = append(found, e.Name()+" "+string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
		}
	}
	return found
}

// stopAndCheck ends the process as SIGINT or SIGTERM would, then waits for the private
// server to be gone: no lock file (PostgreSQL removes it only on a clean shutdown), no
// postmaster, no process left in the data directory.
func (p *firstRunProcess) stopAndCheck(t *testing.T) {
	t.Helper()
	p.stop()
	testkit.Eventually(t, 30*time.Second, "the private PostgreSQL is gone with its process", func() (bool, string) {
		_, lockErr := os.Stat(filepath.Join(p.dataDir, "postmaster.pid"))
		left := leftovers(t, p.dataDir)
		return errors.Is(lockErr, os.ErrNotExist) && !alive(p.pid) && len(left) == 0,
			fmt.Sprintf("lock file %v, postmaster %d alive %v, processes %q", lockErr, p.pid, alive(p.pid), left)
	})
}

func TestRun_PrivatePostgres(t *testing.T) {
	if _, ok := firstRun.findBinaries(os.Getenv("PATH")); !ok {
		t.Skipf("no PostgreSQL binaries (initdb and postgres) on PATH or in %s: install PostgreSQL to test the private server",
			strings.Join(firstRun.binGlobs, ", "))
	}
	cache := t.TempDir()
	useFirstRun(t, unreachableDefault(t, cache, firstRun.binGlobs))

	t.Run("serve creates and stops it", func(t *testing.T) {
		p := startFirstRun(t, "serve")
		if want := filepath.Join(cache, "cryptodash", "postgres-"); !strings.HasPrefix(p.dataDir, want) {
			t.Errorf("data directory %s, want it under %s", p.dataDir, want)
		}
		conn, err := pgx.Connect(context.Background(), p.dbURL)
		if err != nil {
			p.stop()
			t.Fatalf("connect to the announced %s: %v", p.dbURL, err)
		}
		_, err = conn.Exec(context.Background(), `CREATE TABLE first_run_marker (note text); INSERT INTO first_run_marker VALUES ('kept')`)
		_ = conn.Close(context.Background())
		if err != nil {
			t.Errorf("write a marker: %v", err)
		}
		p.stopAndCheck(t)
	})

	t.Run("demo reuses it and the data is still there", func(t *testing.T) {
		p := startFirstRun(t, "demo", "-sim-addr", "127.0.0.1:0")
		defer p.stopAndCheck(t)
		if !strings.Contains(p.stderr.String(), "dashboard on http://localhost:") || !strings.Contains(p.stderr.String(), "not real") {
			t.Errorf("demo's lines do not give the dashboard's address and say prices are simulated:\n%s", p.stderr)
		}
		if !strings.HasSuffix(p.dbURL, "/cryptodash_demo?host="+p.dataDir) {
			t.Errorf("demo database %s, want cryptodash_demo on the private server", p.dbURL)
		}
		u, _, _ := strings.Cut(p.dbURL, "?")
		conn, err := pgx.Connect(context.Background(), strings.Replace(p.dbURL, u, strings.TrimSuffix(u, "_demo"), 1))
		if err != nil {
			t.Fatalf("connect to serve's database on the reused server: %v", err)
		}
		defer conn.Close(context.Background())
		var note string
		if err := conn.QueryRow(context.Background(), `SELECT note FROM first_run_marker`).Scan(&note); err != nil || note != "kept" {
			t.Errorf("the marker serve wrote: %q, %v", note, err)
		}
	})

	t.Run("a second process says the server is taken", func(t *testing.T) {
		p := startFirstRun(t, "serve")
		defer p.stopAndCheck(t)
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"demo", "-sim-addr", "127.0.0.1:0"}, envOf(map[string]string{
			"PATH": os.Getenv("PATH"), "PORT": strconv.Itoa(freePort(t)),
		}), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "already runs the private PostgreSQL in "+p.dataDir) ||
			!strings.Contains(err.Error(), "DATABASE_URL=postgres://postgres@/cryptodash_demo?host="+p.dataDir) {
			t.Errorf("err = %v, want the server named as taken, with the URL that shares it", err)
		}
		if !healthy(p.url) {
			t.Error("the first process lost its database")
		}
	})
}

func TestRun_NoPostgresAnywhere(t *testing.T) {
	cache := t.TempDir()
	useFirstRun(t, unreachableDefault(t, cache, nil))
	for _, cmd := range [][]string{{"serve"}, {"demo", "-sim-addr", "127.0.0.1:0"}} {
		t.Run(cmd[0], func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), cmd, envOf(map[string]string{"PATH": t.TempDir(), "PORT": strconv.Itoa(freePort(t))}), &out, &errOut)
			if err == nil {
				t.Fatal("run succeeded with no database and no PostgreSQL binaries")
			}
			for _, want := range []string{"no PostgreSQL answers at", "DATABASE_URL is not set", "binaries (initdb and postgres) on PATH",
				"apt-get install postgresql", "brew install postgresql", "docker run -d -e POSTGRES_HOST_AUTH_METHOD=trust -p 5432:5432 postgres:15",
				"set DATABASE_URL"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the message lacks %q:\n%v", want, err)
				}
			}
			if entries, _ := os.ReadDir(cache); len(entries) > 0 {
				t.Errorf("the cache directory got %d entries", len(entries))
			}
		})
	}
}

// TestRun_ExplicitDatabaseURLIsUsedAsGiven: a DATABASE_URL that does not answer is waited
// for (serve answers 503 meanwhile and logs why), never replaced by a private server.
func TestRun_ExplicitDatabaseURLIsUsedAsGiven(t *testing.T) {
	cache := t.TempDir()
	useFirstRun(t, unreachableDefault(t, cache, firstRun.binGlobs))
	var out, errOut testkit.SyncBuffer
	serve := startCommand(t, []string{"serve"}, map[string]string{
		"PATH":         os.Getenv("PATH"),
		"PORT":         strconv.Itoa(freePort(t)),
		"DATABASE_URL": "postgres://postgres@" + closedAddr(t) + "/cryptodash",
	}, &out, &errOut)
	testkit.Eventually(t, time.Minute, "serve reports the database it waits for", func() (bool, string) {
		return strings.Contains(out.String(), "the database is not ready"), out.String()
	})
	if err := serve.stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	if !strings.Contains(out.String(), "connect") {
		t.Errorf("the log does not say the connection failed:\n%s", &out)
	}
	if entries, _ := os.ReadDir(cache); len(entries) > 0 || strings.Contains(errOut.String(), "database:") {
		t.Errorf("a private server was started despite DATABASE_URL: %d cache entries, stderr %q", len(entries), errOut.String())
	}
}

func TestLocalPostgres_DefaultServerAnswers(t *testing.T) {
	cache := t.TempDir()
	// Only the answer matters: nothing connects, so any listener stands in for PostgreSQL.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p := localPostgres{
		defaultURL: "postgres://postgres@" + l.Addr().String() + "/cryptodash",
		cacheDir:   func() (string, error) { return cache, nil },
	}
	var cfg config.Config
	stop, err := p.useDatabase(context.Background(), &cfg, "cryptodash_demo", envOf(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if want := "postgres://postgres@" + l.Addr().String() + "/cryptodash_demo"; cfg.DatabaseURL != want {
		t.Errorf("DATABASE_URL = %s, want %s", cfg.DatabaseURL, want)
	}
	if entries, _ := os.ReadDir(cache); len(entries) > 0 {
		t.Errorf("the cache directory got %d entries", len(entries))
	}
}
