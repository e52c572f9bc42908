package store

import (
	"os"
	"testing"
)

// What ends the server's side of a session whose client the network cut off, a COPY waiting
// for rows among them: keepalive probes and the connection check, set on every session the
// store opens. (A test proxy cannot cut a connection below TCP, where the probes work, so
// this checks that they are in force.)
func TestNew_SessionsProbeTheirClient(t *testing.T) {
	t.Parallel()
	// storetest imports this package, so the server's own database stands in.
	server := "postgres://postgres@127.0.0.1:5432/postgres"
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		server = u
	}
	s, err := New(server)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for param, want := range map[string]string{
		"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3",
		"client_connection_check_interval": "5s",
	} {
		var got string
		if err := s.pool.QueryRow(t.Context(), "SHOW "+param).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q on the store's sessions, want %q", param, got, want)
		}
	}
}
