// Package dbsecret reads the database's credentials from AWS Secrets Manager, where RDS and
// its rotation keep them, so that a password rotated while the server runs reaches its next
// connection instead of breaking it.
package dbsecret

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// getter is the one call of the Secrets Manager client used here.
type getter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Source reads one secret.
type Source struct {
	client getter
	id     string
}

// New returns a source for the secret id (a name or an ARN), with the AWS credentials and
// region of the environment: on ECS, the task role's.
func New(ctx context.Context, id string) (*Source, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration for DATABASE_SECRET_ID: %w", err)
	}
	return &Source{client: secretsmanager.NewFromConfig(cfg), id: id}, nil
}

// Credentials reads the secret's current version, a JSON object whose username and password
// are the database's (the shape RDS and its rotation functions write). It has the signature
// of store.Credentials.
func (s *Source) Credentials(ctx context.Context) (user, password string, err error) {
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &s.id})
	if err != nil {
		return "", "", fmt.Errorf("read secret %s: %w", s.id, err)
	}
	if out.SecretString == nil {
		return "", "", fmt.Errorf("secret %s holds no string", s.id)
	}
	var v struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.Unmarshal([]byte(*out.SecretString), &v); err != nil {
		// The secret's text could be the password itself: never quote it.
		return "", "", fmt.Errorf("secret %s is not a JSON object with username and password", s.id)
	}
	if v.Username == "" || v.Password == "" {
		return "", "", errors.New("secret " + s.id + " lacks username or password")
	}
	return v.Username, v.Password, nil
}
