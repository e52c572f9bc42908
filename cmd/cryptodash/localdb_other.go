//go:build !linux

package main

import (
	"errors"
	"os"
	"os/exec"
)

// startServerProcess starts initdb or postgres for the private server. PostgreSQL refuses to
// run as root, and outside Linux cryptodash has no user namespace to run it in as another
// user.
func startServerProcess(cmd *exec.Cmd) error {
	if os.Geteuid() == 0 {
		return errors.New("PostgreSQL refuses to run as root; run cryptodash as a non-root user, or set DATABASE_URL")
	}
	return cmd.Start()
}
