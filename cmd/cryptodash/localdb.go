package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cryptodash/cryptodash/internal/config"
)

// localPostgres finds a database for serve and demo when DATABASE_URL is not set: the
// default server when something answers there, else a private PostgreSQL started from the
// machine's own binaries, so a first `make run` needs no database set up by hand. An explicit
// DATABASE_URL is used as given, even when nothing answers there.
type localPostgres struct {
	// defaultURL names the server DATABASE_URL's default points at; its database is replaced
	// by the one the command wants.
	defaultURL string
	// binGlobs are directories, besides PATH, where packages install PostgreSQL's server
	// binaries without putting them on PATH (Debian and Ubuntu, the PGDG RPMs, Homebrew's
	// versioned formulas), newest version first.
	binGlobs []string
	// cacheDir is the directory under which the private server keeps its data between runs.
	cacheDir func() (string, error)
}

// firstRun is the localPostgres serve and demo use. Tests point it at a closed port, an empty
// search path and a temporary cache directory, since the machine's own PostgreSQL on 5432 must
// stay up for the other tests.
var firstRun = localPostgres{
	defaultURL: config.DefaultDatabaseURL,
	binGlobs: []string{
		"/usr/lib/postgresql/*/bin",
		"/usr/pgsql-*/bin",
		"/opt/homebrew/opt/postgresql@*/bin",
		"/usr/local/opt/postgresql@*/bin",
	},
	cacheDir: os.UserCacheDir,
}

// serverStartTimeout bounds the wait for a private server to accept connections; crash
// recovery after an unclean stop can take a while on a large database.
const serverStartTimeout = time.Minute

// useDatabase points cfg at a database when DATABASE_URL is not set: the database called
// name (the default URL's own when empty) on the default server when something listens there,
// else on a private server. The caller calls the returned stop once the pool is closed. It
// tells stderr, in one line, when it started a private server.
func (p localPostgres) useDatabase(ctx context.Context, cfg *config.Config, name string, getenv func(string) string, stderr io.Writer) (stop func(), err error) {
	if strings.TrimSpace(getenv("DATABASE_URL")) != "" {
		return func() {}, nil
	}
	u, err := url.Parse(p.defaultURL)
	if err != nil {
		return nil, fmt.Errorf("default database URL: %w", err)
	}
	if name != "" {
		u.Path = "/" + name
	}
	if answers(ctx, u.Host) {
		cfg.DatabaseURL = u.String()
		return func() {}, nil
	}
	bin, ok := p.findBinaries(getenv("PATH"))
	if !ok {
		return nil, p.noPostgres(u.Host)
	}
	cache, err := p.cacheDir()
	if err != nil {
		return nil, fmt.Errorf("no PostgreSQL answers at %s and DATABASE_URL is not set; a private one needs a cache directory: %w", u.Host, err)
	}
	name = strings.TrimPrefix(u.Path, "/")
	srv, err := startPrivate(ctx, bin, filepath.Join(cache, "cryptodash"), name, stderr)
	if err != nil {
		return nil, fmt.Errorf("no PostgreSQL answers at %s and DATABASE_URL is not set; starting a private one from %s failed: %w", u.Host, bin, err)
	}
	cfg.DatabaseURL = srv.url(name)
	fmt.Fprintf(stderr, "database: no PostgreSQL answers at %s and DATABASE_URL is not set, so cryptodash runs its own PostgreSQL %s from %s until it exits (data kept in %s): %s\n",
		u.Host, srv.version, bin, srv.dataDir, cfg.DatabaseURL)
	return srv.stop, nil
}

// answers reports whether anything accepts a TCP connection at addr. A server that answers
// but refuses the login is left for the real connection to report, since starting another
// server would hide the mistake.
func answers(ctx context.Context, addr string) bool {
	d := net.Dialer{Timeout: 2 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

// findBinaries returns the first directory holding both initdb and postgres: PATH first, as
// the user's own choice, then the packages' directories, newest version first.
func (p localPostgres) findBinaries(path string) (string, bool) {
	dirs := filepath.SplitList(path)
	for _, pattern := range p.binGlobs {
		matches, _ := filepath.Glob(pattern)
		slices.SortFunc(matches, func(a, b string) int { return versionOf(b) - versionOf(a) })
		dirs = append(dirs, matches...)
	}
	for _, dir := range dirs {
		if dir != "" && isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, true
		}
	}
	return "", false
}

var firstNumber = regexp.MustCompile(`\d+`)

// versionOf is the major version in a path such as /usr/lib/postgresql/16/bin, so that 16
// sorts before 9.6 where names alone would not.
func versionOf(path string) int {
	n, _ := strconv.Atoi(firstNumber.FindString(path))
	return n
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// noPostgres is the error when there is neither a server nor binaries to start one: it lists
// the ways to get a database.
func (p localPostgres) noPostgres(addr string) error {
	return fmt.Errorf(`no PostgreSQL answers at %[1]s and DATABASE_URL is not set, and there are no PostgreSQL
binaries (initdb and postgres) on PATH or in %[2]s to start a private server. Any of these gives cryptodash a database:
  - install PostgreSQL: apt-get install postgresql (Debian, Ubuntu) or brew install postgresql@17 (macOS);
    cryptodash then starts a private server from its binaries whenever nothing answers at %[1]s
  - run one in Docker: docker run -d -e POSTGRES_HOST_AUTH_METHOD=trust -p 5432:5432 postgres:15
  - set DATABASE_URL to a server you have, such as postgres://user:password@host:5432/cryptodash`,
		addr, strings.Join(p.binGlobs, ", "))
}

// privateServer is a PostgreSQL child process serving a data directory of its own, through a
// unix socket in that directory only: with no TCP listener, nothing else on the machine can
// reach its trust authentication, and no port can clash.
type privateServer struct {
	version string
	dataDir string
	logPath string
	cmd     *exec.Cmd
	// exited closes when the process has ended and been waited for.
	exited chan struct{}
	// watched is set once the server is ready and cleared by stop: an exit in between is
	// news the person at the terminal needs.
	watched atomic.Bool
	stderr  io.Writer
}

// startPrivate creates the data directory under dir on first use (the major version in its
// name, since a data directory only opens with the binaries of the version that made it), then
// starts the server and waits until it accepts connections. name is the database the caller
// will use, for the message when another process already runs the server.
func startPrivate(ctx context.Context, bin, dir, name string, stderr io.Writer) (*privateServer, error) {
	out, err := exec.CommandContext(ctx, filepath.Join(bin, "postgres"), "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("postgres --version: %w", err)
	}
	version := firstNumber.FindString(string(out))
	if version == "" {
		return nil, fmt.Errorf("postgres --version printed %q, which names no version", out)
	}
	s := &privateServer{
		version: version,
		dataDir: filepath.Join(dir, "postgres-"+version),
		logPath: filepath.Join(dir, "postgres-"+version+".log"),
		exited:  make(chan struct{}),
		stderr:  stderr,
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(s.dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := initDataDir(ctx, bin, s.dataDir); err != nil {
			return nil, err
		}
	}
	// Its postmaster.pid would make the new server refuse the directory anyway; this says why,
	// and how the two processes can share the server if that is what was meant.
	if conn, err := pgconn.Connect(ctx, s.url("postgres")); err == nil {
		_ = conn.Close(ctx)
		return nil, fmt.Errorf("another process (cryptodash serve or demo?) already runs the private PostgreSQL in %s: stop it, or share its server by setting DATABASE_URL=%s",
			s.dataDir, s.url(name))
	}
	logFile, err := os.OpenFile(s.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child holds its own descriptor
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", s.dataDir, "-k", s.dataDir, "-c", "listen_addresses=")
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := startServerProcess(s.cmd); err != nil {
		return nil, err
	}
	go func() {
		err := s.cmd.Wait()
		if s.watched.Load() {
			fmt.Fprintf(s.stderr, "database: the private PostgreSQL stopped unexpectedly (%v); its log is %s\n", err, s.logPath)
		}
		close(s.exited)
	}()
	if err := s.waitReady(ctx); err != nil {
		s.stop()
		return nil, err
	}
	s.watched.Store(true)
	return s, nil
}

// initDataDir runs initdb into a scratch directory and renames it into place, so that an
// initdb cut short never leaves a half-made data directory that later starts would trust.
// Authentication is trust because only the socket in the data directory, readable by this
// user alone, can reach the server; the superuser is postgres, as in the default URL.
func initDataDir(ctx context.Context, bin, dataDir string) error {
	scratch := dataDir + ".initdb"
	if err := os.RemoveAll(scratch); err != nil {
		return err
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", scratch,
		"--username=postgres", "--auth=trust", "--encoding=UTF8", "--no-locale")
	cmd.Stdout, cmd.Stderr = &out, &out
	err := startServerProcess(cmd)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		_ = os.RemoveAll(scratch)
		if out.Len() > 0 {
			err = fmt.Errorf("%w\n%s", err, strings.TrimSpace(out.String()))
		}
		return fmt.Errorf("initdb: %w", err)
	}
	return os.Rename(scratch, dataDir)
}

// url is the URL of the database called name on this server; store.Open creates it when
// missing.
func (s *privateServer) url(name string) string {
	// Slashes are legal in a query, and left unescaped the path stays readable when printed.
	host := strings.ReplaceAll(url.QueryEscape(s.dataDir), "%2F", "/")
	return "postgres://postgres@/" + url.PathEscape(name) + "?host=" + host
}

// waitReady polls until the server accepts a connection, the process ends, or the deadline.
// Like pg_ctl, it trusts a connection only once postmaster.pid names this process, since
// another server started on the same directory at the same moment would answer too.
func (s *privateServer) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(serverStartTimeout)
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgconn.Connect(attempt, s.url("postgres"))
		cancel()
		if err == nil {
			_ = conn.Close(ctx)
			if s.ownsDataDir() {
				return nil
			}
			err = errors.New("the server answering is another process's")
		}
		select {
		case <-s.exited:
			return fmt.Errorf("postgres exited at start; the end of its log (%s):\n%s", s.logPath, s.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within %s: %w; its log is %s", serverStartTimeout, err, s.logPath)
		}
	}
}

// ownsDataDir reports whether the lock file PostgreSQL writes into its data directory names
// this server's process.
func (s *privateServer) ownsDataDir() bool {
	b, err := os.ReadFile(filepath.Join(s.dataDir, "postmaster.pid"))
	first, _, _ := strings.Cut(string(b), "\n")
	return err == nil && strings.TrimSpace(first) == strconv.Itoa(s.cmd.Process.Pid)
}

// logTail is the end of the server's log, where PostgreSQL says why it would not start.
func (s *privateServer) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-8):], "\n")
}

// stop asks for PostgreSQL's fast shutdown (SIGINT: roll back open transactions, checkpoint,
// exit), which leaves the data directory clean for the next start, and waits for the process
// to end; after a minute it kills it, which PostgreSQL survives by crash recovery.
func (s *privateServer) stop() {
	s.watched.Store(false)
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
		return
	case <-time.After(time.Minute):
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	fmt.Fprintf(s.stderr, "database: the private PostgreSQL did not stop within a minute and was killed; its log is %s\n", s.logPath)
}
