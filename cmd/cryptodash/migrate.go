package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cryptodash/cryptodash/internal/config"
)

func runMigrate(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	for _, f := range applied {
		fmt.Fprintln(stdout, "applied", f)
	}
	return nil
}
