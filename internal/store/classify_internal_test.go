package store

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// A statement on a connection that a fault closed earlier in the same piece of work (a COPY
// after a reset, say) means the database is out of reach: the run that meets it resumes
// rather than ending for good.
func TestWrap_ClosedConnectionIsDatabaseDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// storetest imports this package, so the server's own database stands in: the statement
	// never reaches it.
	server := "postgres://postgres@127.0.0.1:5432/postgres"
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		server = u
	}
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, "SELECT 1")
	if err == nil {
		t.Fatal("a statement on a closed connection succeeded")
	}
	if got := wrap("store bitcoin/usd", err); !errors.Is(got, domain.ErrDatabaseDown) {
		t.Errorf("wrap(%v) = %v, want ErrDatabaseDown", err, got)
	}
}
