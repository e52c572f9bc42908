// Package storetest gives each test a fresh PostgreSQL database of its own, dropped when the
// test ends, so tests run against the real database without seeing each other's rows.
//
// Migrated databases are cloned from a template database that each test process migrates
// once, so a test pays for a CREATE DATABASE rather than for every migration.
//
// Every database a test makes is named with one prefix (TEST_DATABASE_PREFIX, by default
// "cryptodash_test_"), so that an operator sharing the server can tell them apart and a crashed
// suite's leftovers can be found. A package whose tests use this one runs them through Main,
// which drops the process's template and anything its tests left behind when they end.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/store"
)

// ServerURL is the PostgreSQL server tests create their databases on; TEST_DATABASE_URL
// overrides it.
func ServerURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres"
}

// ServerAddr is the host:port of ServerURL, for tests that put a proxy in front of the server.
func ServerAddr() string {
	u, err := url.Parse(ServerURL())
	if err != nil {
		panic("TEST_DATABASE_URL: " + err.Error())
	}
	return u.Host
}

// validPrefix keeps the prefix a plain identifier: it is spliced into CREATE DATABASE and
// into the LIKE pattern that finds leftovers.
var validPrefix = regexp.MustCompile(`^[a-z][a-z0-9]{0,30}_$`)

// Prefix starts the name of every database the tests make; TEST_DATABASE_PREFIX overrides it.
func Prefix() string {
	p := os.Getenv("TEST_DATABASE_PREFIX")
	if p == "" {
		return "cryptodash_test_"
	}
	if !validPrefix.MatchString(p) {
		panic(fmt.Sprintf("TEST_DATABASE_PREFIX=%q: want lower-case letters and digits ending in _, such as mytests_", p))
	}
	return p
}

// process names this test process's databases, under the prefix, so that Main drops exactly
// those: packages run in parallel, and one package's end must not drop another's template.
var process = randomHex(4)

// Main runs m's tests and then drops this process's template and every database its tests
// left behind (a test that failed to clean up, or one killed by a panic), and returns the
// exit code. Use it from TestMain: os.Exit(storetest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := dropProcessDatabases(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "storetest: drop this run's databases: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func dropProcessDatabases(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, Prefix()+process+"_")
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, name := range names {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			return err
		}
	}
	return nil
}

// NewURL creates an empty database for tb, drops it in tb.Cleanup, and returns its URL. Tests
// of migrating itself start here; the rest want NewMigratedURL.
func NewURL(tb testing.TB) string {
	tb.Helper()
	return create(tb, "")
}

// NewMigratedURL creates a database with every migration applied for tb, drops it in
// tb.Cleanup, and returns its URL.
func NewMigratedURL(tb testing.TB) string {
	tb.Helper()
	tpl, err := template()
	if err != nil {
		tb.Fatalf("migrated template database: %v", err)
	}
	return create(tb, tpl)
}

// New returns a store on a fresh, migrated database that is dropped when tb ends.
func New(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), NewMigratedURL(tb))
	if err != nil {
		tb.Fatalf("open test store: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// WithConnectionLimit returns dbURL as a new role that may hold at most n connections to the
// server and may read and write every table of the database, for tests of a database whose
// connection slots run out. The role is dropped when tb ends.
func WithConnectionLimit(tb testing.TB, dbURL string, n int) string {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	role := "cryptodash_limited_" + randomHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN CONNECTION LIMIT %d", role, n)); err != nil {
		tb.Fatal(err)
	}
	grants := []string{
		"GRANT USAGE ON SCHEMA public TO " + role,
		"GRANT ALL ON ALL TABLES IN SCHEMA public TO " + role,
		"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + role,
	}
	if err := exec(ctx, dbURL, grants...); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// The grants live in the test database, which is dropped after this runs.
		if err := exec(ctx, dbURL, "DROP OWNED BY "+role); err != nil {
			tb.Errorf("drop the limited role's grants: %v", err)
		}
		if err := admin(ctx, "DROP ROLE "+role); err != nil {
			tb.Errorf("drop the limited role: %v", err)
		}
	})
	u.User = url.User(role)
	return u.String()
}

// AsOwner returns dbURL as a new role that is no superuser but owns the database and every
// table, view and function in it (identity sequences go with their tables), as RDS's master user owns what it creates: the
// role production writes as, which may not SET session_replication_role. The role is
// dropped when tb ends.
func AsOwner(tb testing.TB, dbURL string) string {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	role := "cryptodash_owner_" + randomHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN NOSUPERUSER", role),
		fmt.Sprintf("ALTER DATABASE %s OWNER TO %s", strings.TrimPrefix(u.Path, "/"), role)); err != nil {
		tb.Fatal(err)
	}
	if err := exec(ctx, dbURL, "ALTER SCHEMA public OWNER TO "+role, fmt.Sprintf(`DO $$
		DECLARE r record;
		BEGIN
			FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v') LOOP
				EXECUTE format('ALTER %%s %%I OWNER TO %s', CASE r.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, r.relname);
			END LOOP;
			FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
				WHERE n.nspname = 'public' LOOP
				EXECUTE format('ALTER FUNCTION %%s OWNER TO %s', r.f);
			END LOOP;
		END $$`, role, role)); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// The role owns the test database, which is dropped after this runs; the database
		// goes back to the superuser first so the role can be dropped.
		if err := admin(ctx, fmt.Sprintf("ALTER DATABASE %s OWNER TO CURRENT_USER", strings.TrimPrefix(u.Path, "/"))); err != nil {
			tb.Errorf("take the database back from the owner role: %v", err)
		}
		if err := exec(ctx, dbURL, "REASSIGN OWNED BY "+role+" TO CURRENT_USER", "DROP OWNED BY "+role); err != nil {
			tb.Errorf("drop the owner role's objects: %v", err)
		}
		if err := admin(ctx, "DROP ROLE "+role); err != nil {
			tb.Errorf("drop the owner role: %v", err)
		}
	})
	u.User = url.User(role)
	return u.String()
}

func exec(ctx context.Context, dbURL string, statements ...string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, sql := range statements {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
	}
	return nil
}

func create(tb testing.TB, template string) string {
	tb.Helper()
	name := Prefix() + process + "_" + randomHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sql := "CREATE DATABASE " + name
	if template != "" {
		sql += " TEMPLATE " + template
	}
	if err := admin(ctx, sql); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := admin(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	return databaseURL(name)
}

// admin runs statements on the server's maintenance database. A test database need not
// survive a crash, so its creation does not wait for the disk: that halves the cost of
// CREATE and DROP DATABASE, which dominates a test's setup.
func admin(ctx context.Context, statements ...string) error {
	conn, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return fmt.Errorf("connect to test PostgreSQL at %s: %w", ServerURL(), err)
	}
	defer conn.Close(ctx)
	for _, sql := range append([]string{"SET synchronous_commit = off"}, statements...) {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
	}
	return nil
}

func databaseURL(name string) string {
	u, err := url.Parse(ServerURL())
	if err != nil {
		panic("TEST_DATABASE_URL: " + err.Error())
	}
	u.Path = "/" + name
	return u.String()
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// template returns the name of this process's migrated template database, making it the
// first time a test needs it.
func template() (string, error) {
	templateOnce.Do(func() {
		templateName, templateErr = makeTemplate()
	})
	return templateName, templateErr
}

func makeTemplate() (string, error) {
	name := Prefix() + process + "_template"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := admin(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	s, err := store.Open(ctx, databaseURL(name))
	if err == nil {
		_, err = s.Migrate(ctx)
		s.Close()
	}
	if err != nil {
		_ = admin(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return "", err
	}
	return name, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// FillDisk makes every insert into the stored hours (prices_hourly_packed) and coins on the
// database at dbURL fail as a full disk fails it, with PostgreSQL's own error (SQLSTATE
// 53100, disk_full), until the returned function frees it.
func FillDisk(tb testing.TB, dbURL string) (free func()) {
	tb.Helper()
	ctx := context.Background()
	if err := exec(ctx, dbURL,
		`CREATE FUNCTION storetest_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			RAISE EXCEPTION 'could not extend file "base/16384/16385": No space left on device' USING ERRCODE = 'disk_full';
		END $$`,
		`CREATE TRIGGER storetest_disk_full BEFORE INSERT OR UPDATE ON prices_hourly_packed FOR EACH STATEMENT EXECUTE FUNCTION storetest_disk_full()`,
		`CREATE TRIGGER storetest_disk_full BEFORE INSERT OR UPDATE ON coins FOR EACH STATEMENT EXECUTE FUNCTION storetest_disk_full()`,
	); err != nil {
		tb.Fatalf("fill the disk: %v", err)
	}
	return func() {
		tb.Helper()
		if err := exec(ctx, dbURL, `DROP FUNCTION storetest_disk_full() CASCADE`); err != nil {
			tb.Fatalf("free the disk: %v", err)
		}
	}
}
