package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// startServerProcess starts initdb or postgres for the private server.
//
// The child gets a process group of its own, so a Ctrl-C at the terminal reaches cryptodash
// alone, which stops the server after its requests have drained rather than under them; and a
// parent-death signal, so the server shuts down cleanly even when cryptodash is killed.
//
// PostgreSQL refuses to run as root. For root, the child runs in a user namespace where root
// is mapped to an ordinary user (postgres, else nobody): PostgreSQL sees that user, while on
// disk its files stay root's own, in root's cache directory. Switching to a real system user
// instead would need that user to reach /root/.cache, which root's home (mode 0700) forbids
// unless its permissions are loosened. The server is no door for anyone else: it listens only
// on a socket inside its 0700 data directory.
func startServerProcess(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGINT}
	if os.Geteuid() != 0 {
		return cmd.Start()
	}
	uid, gid, err := unprivilegedIDs()
	if err != nil {
		return err
	}
	cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWUSER
	cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: 0, Size: 1}}
	cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: 0, Size: 1}}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("PostgreSQL refuses to run as root, and this system does not let cryptodash run it as an ordinary user in a user namespace (%w); run cryptodash as a non-root user, or set DATABASE_URL", err)
	}
	return nil
}

// unprivilegedIDs are the ids root appears as inside the namespace. They must name a user in
// /etc/passwd, since initdb looks its own user up.
func unprivilegedIDs() (uid, gid int, err error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, errU := strconv.Atoi(u.Uid)
		gid, errG := strconv.Atoi(u.Gid)
		if errU == nil && errG == nil && uid != 0 {
			return uid, gid, nil
		}
	}
	return 0, 0, fmt.Errorf("PostgreSQL refuses to run as root, and neither a postgres nor a nobody user exists to run it as; run cryptodash as a non-root user, or set DATABASE_URL")
}
