package store_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
)

// With credentials given, every connection (the pool's, the database check's, the data
// version listener's) asks for them anew and uses them over the URL's: a rotated password
// reaches the next connection without a restart.
func TestStore_WithCredentials(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u, err := url.Parse(storetest.NewMigratedURL(t))
	if err != nil {
		t.Fatal(err)
	}
	user := u.User.Username()
	password, _ := u.User.Password()
	u.User = url.User("no-such-role")
	var asked atomic.Int32
	s, err := store.Open(ctx, u.String(), store.WithCredentials(func(context.Context) (string, string, error) {
		asked.Add(1)
		return user, password, nil
	}))
	if err != nil {
		t.Fatalf("open with the credentials given: %v", err)
	}
	t.Cleanup(s.Close)
	if _, err := s.Coins(ctx); err != nil {
		t.Fatal(err)
	}
	if n := asked.Load(); n < 2 {
		t.Errorf("credentials asked for %d times, want once per connection (the database check's and the pool's)", n)
	}

	refused := errors.New("secret unreadable")
	_, err = store.Open(ctx, u.String(), store.WithCredentials(func(context.Context) (string, string, error) {
		return "", "", refused
	}))
	if !errors.Is(err, refused) || !strings.Contains(err.Error(), "database credentials") {
		t.Errorf("error %v, want the credentials' own", err)
	}
}
