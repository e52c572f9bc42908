package dbsecret

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// secretsManager stands in for Secrets Manager's JSON API, answering GetSecretValue with
// secretString for the one secret it knows.
func secretsManager(t *testing.T, secretString string) *Source {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in struct {
			SecretID string `json:"SecretId"`
		}
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" || json.Unmarshal(body, &in) != nil ||
			!strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
			t.Errorf("request %s %s %q", r.Header.Get("X-Amz-Target"), body, r.Header.Get("Authorization"))
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if in.SecretID != "prod-cryptodash/database" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`)
			return
		}
		out, _ := json.Marshal(map[string]any{"Name": in.SecretID, "SecretString": secretString, "VersionStages": []string{"AWSCURRENT"}})
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	client := secretsmanager.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(srv.URL),
	})
	return &Source{client: client, id: "prod-cryptodash/database"}
}

func TestSource_Credentials(t *testing.T) {
	s := secretsManager(t, `{"username":"cryptodash","password":"p4ss","engine":"postgres","host":"db"}`)
	user, password, err := s.Credentials(context.Background())
	if err != nil || user != "cryptodash" || password != "p4ss" {
		t.Errorf("got %q %q %v", user, password, err)
	}
}

func TestSource_RefusesWhatIsNotCredentials(t *testing.T) {
	for name, tc := range map[string]struct{ secret, want string }{
		"not JSON":    {"p4ss-alone", "not a JSON object"},
		"no password": {`{"username":"cryptodash"}`, "lacks username or password"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := secretsManager(t, tc.secret).Credentials(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "p4ss") {
				t.Errorf("error %v, want one saying %q without the secret", err, tc.want)
			}
		})
	}
	s := secretsManager(t, `{}`)
	s.id = "elsewhere"
	if _, _, err := s.Credentials(context.Background()); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("error %v, want Secrets Manager's", err)
	}
}
