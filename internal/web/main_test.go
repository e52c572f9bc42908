package web_test

import (
	"os"
	"testing"

	"github.com/cryptodash/cryptodash/internal/store/storetest"
)

// TestMain drops the databases this package's tests made once they have all run.
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
