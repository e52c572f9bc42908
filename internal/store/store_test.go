package store_test

import (
	"context"
	"testing"

	"github.com/cryptodash/cryptodash/internal/store/storetest"
)

func TestStore_Migrate(t *testing.T) {
	s := storetest.New(t)
	applied, err := s.Migrate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %v, want nothing", applied)
	}
}
