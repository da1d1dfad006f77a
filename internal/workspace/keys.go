package workspace

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/callscope/callscope/internal/schema"
)

// A key reads cs_<kind>_<id>_<secret>: the id finds the stored key, the
// secret (32 random bytes) makes it unguessable. Only a SHA-256 hash of the
// whole key is stored; a slow hash would add nothing for 256 random bits.
const keyPrefix = "cs"

// ErrUnauthorized is returned for a key that is unknown, malformed or
// revoked.
var ErrUnauthorized = errors.New("the API key is not valid")

// NewKey describes a key to create.
type NewKey struct {
	Kind      KeyKind
	Name      string
	Resources []string // ingest keys: the resources it may send records of
	Workspace string   // read keys: the workspace (name or id) it may query
}

// CreateKey creates a key and returns it with its secret, which is shown
// only this once.
func (r *Registry) CreateKey(nk NewKey) (Key, string, error) {
	switch nk.Kind {
	case IngestKey:
		if len(nk.Resources) == 0 || nk.Workspace != "" {
			return Key{}, "", invalidf("an ingest key covers one or more resources and no workspace")
		}
	case ReadKey:
		if nk.Workspace == "" || len(nk.Resources) > 0 {
			return Key{}, "", invalidf("a read key names one workspace and no resources")
		}
	case AdminKey:
		if nk.Workspace != "" || len(nk.Resources) > 0 {
			return Key{}, "", invalidf("an admin key names no workspace or resources: it may do everything")
		}
	default:
		return Key{}, "", invalidf("key kind %q: use ingest, read or admin", nk.Kind)
	}
	var resources []string
	for _, res := range nk.Resources {
		if id := schema.NormalizeResourceID(res); !slices.Contains(resources, id) {
			resources = append(resources, id)
		}
	}
	id, secret, err := newSecret()
	if err != nil {
		return Key{}, "", err
	}
	token := fmt.Sprintf("%s_%s_%s_%s", keyPrefix, nk.Kind, id, secret)
	var out Key
	err = r.update(func(s *State) error {
		k := &Key{ID: string(nk.Kind) + "_" + id, Kind: nk.Kind, Name: nk.Name, Hash: hashKey(token), Resources: resources, Created: r.now().UTC()}
		if nk.Kind == ReadKey {
			i := slices.IndexFunc(s.Workspaces, func(w *Workspace) bool { return w.Name == nk.Workspace || w.ID == nk.Workspace })
			if i < 0 {
				return notFoundf("workspace %q does not exist", nk.Workspace)
			}
			k.Workspace = s.Workspaces[i].ID
		}
		s.Keys = append(s.Keys, k)
		out = *k
		return nil
	})
	if err != nil {
		return Key{}, "", err
	}
	return out, token, nil
}

func newSecret() (id, secret string, err error) {
	var b [38]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	return hex.EncodeToString(b[:6]), base64.RawURLEncoding.EncodeToString(b[6:]), nil
}

func hashKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authenticate finds the live key a request presents. The comparison runs
// in constant time, and as long for an unknown id as for a known one.
func (r *Registry) Authenticate(token string) (Key, error) {
	parts := strings.SplitN(token, "_", 4)
	id := ""
	if len(parts) == 4 && parts[0] == keyPrefix {
		id = parts[1] + "_" + parts[2]
	}
	got := []byte(hashKey(token))
	r.mu.RLock()
	defer r.mu.RUnlock()
	var found *Key
	for _, k := range r.state.Keys {
		if k.ID == id {
			found = k
		}
	}
	want := make([]byte, len(got)) // compared against for an unknown id
	if found != nil {
		want = []byte(found.Hash)
	}
	if subtle.ConstantTimeCompare(got, want) != 1 || found == nil || found.Revoked != nil {
		return Key{}, ErrUnauthorized
	}
	return *found, nil
}

// Keys lists the keys, revoked ones included, without secrets.
func (r *Registry) Keys() []Key {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Key, 0, len(r.state.Keys))
	for _, k := range r.state.Keys {
		out = append(out, *k)
	}
	return out
}

// HasKeys reports whether any key is live. Without keys a server may only
// run open on loopback.
func (r *Registry) HasKeys() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, k := range r.state.Keys {
		if k.Revoked == nil {
			return true
		}
	}
	return false
}

// RevokeKey makes a key unusable from now on.
func (r *Registry) RevokeKey(id string) (Key, error) {
	var out Key
	err := r.update(func(s *State) error {
		i := slices.IndexFunc(s.Keys, func(k *Key) bool { return k.ID == id })
		if i < 0 {
			return notFoundf("key %q does not exist", id)
		}
		if s.Keys[i].Revoked == nil {
			now := r.now().UTC()
			s.Keys[i].Revoked = &now
		}
		out = *s.Keys[i]
		return nil
	})
	return out, err
}
