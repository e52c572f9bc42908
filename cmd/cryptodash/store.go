package main

import (
	"context"

	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/dbsecret"
	"github.com/cryptodash/cryptodash/internal/store"
)

// storeOptions takes the database's credentials from Secrets Manager for every new connection
// when DATABASE_SECRET_ID names the secret, so a rotated password never needs a restart.
func storeOptions(ctx context.Context, cfg config.Config) ([]store.Option, error) {
	if cfg.DatabaseSecretID == "" {
		return nil, nil
	}
	src, err := dbsecret.New(ctx, cfg.DatabaseSecretID)
	if err != nil {
		return nil, err
	}
	return []store.Option{store.WithCredentials(src.Credentials)}, nil
}

// openStore connects to the database as the configuration says, for the commands that need
// it at once.
func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	opts, err := storeOptions(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.DatabaseURL, opts...)
}
