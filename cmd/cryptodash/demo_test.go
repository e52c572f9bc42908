package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestSplitLogger(t *testing.T) {
	var terminal, file bytes.Buffer
	logger := splitLogger(&terminal, &file, "info")
	logger.Info("http request", "path", "/")
	logger.Warn("fetch on start", "err", "network down")
	if strings.Contains(terminal.String(), "http request") || !strings.Contains(terminal.String(), "network down") {
		t.Errorf("the terminal got:\n%s\nwant the warning alone", &terminal)
	}
	if !strings.Contains(file.String(), `"msg":"http request"`) || !strings.Contains(file.String(), `"msg":"fetch on start"`) {
		t.Errorf("the file got:\n%s\nwant both lines as JSON", &file)
	}
}
