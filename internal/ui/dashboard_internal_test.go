package ui

import (
	"fmt"
	"testing"
)

func TestPageWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		page, pages int
		want        string
	}{
		{1, 1, "[1]"},
		{1, 2, "[1 2]"},
		{1, 18, "[1 2 0 18]"},
		{3, 18, "[1 2 3 4 0 18]"},
		{4, 18, "[1 2 3 4 5 0 18]"},
		{5, 18, "[1 0 4 5 6 0 18]"},
		{9, 18, "[1 0 8 9 10 0 18]"},
		{16, 18, "[1 0 15 16 17 18]"},
		{18, 18, "[1 0 17 18]"},
		{2, 5, "[1 2 3 4 5]"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("page %d of %d", tt.page, tt.pages), func(t *testing.T) {
			if got := fmt.Sprint(pageWindow(tt.page, tt.pages)); got != tt.want {
				t.Errorf("got %s, want %s (0 is an ellipsis)", got, tt.want)
			}
		})
	}
}
