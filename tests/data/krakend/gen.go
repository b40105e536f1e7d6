// gen.go - the independent oracle of the KrakenD fixtures: for each
// NN-name/ directory, the answer KrakenD would give for backend.json
// under krakend.json, written to expected-answer.json.  It follows
// lura's decoders and formatter (encoding.go, proxy/formatter.go) and
// krakend-jose's SignFields (top-level members that are objects, compact
// HS256 JWS {"alg","kid","typ":"JWT"}, payload json.Marshal), written
// anew here in Go with the standard library only, and gin's c.JSON
// (json.Marshal).  Run by hand when a fixture changes (Debian's
// golang-go, no modules):
//
//	cd tests/data/krakend && GO111MODULE=off go run gen.go
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type backend struct {
	Target       string            `json:"target"`
	Group        string            `json:"group"`
	Allow        []string          `json:"allow"`
	Deny         []string          `json:"deny"`
	Mapping      map[string]string `json:"mapping"`
	IsCollection bool              `json:"is_collection"`
	Encoding     string            `json:"encoding"`
}

type fixture struct {
	Endpoints []struct {
		Backend     []backend `json:"backend"`
		ExtraConfig map[string]struct {
			Kid        string   `json:"kid"`
			KeysToSign []string `json:"keys_to_sign"`
		} `json:"extra_config"`
	} `json:"endpoints"`
}

type M = map[string]interface{}

func decode(raw []byte, b backend) (M, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v interface{}
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case M:
		if b.IsCollection && strings.ToLower(b.Encoding) != "safejson" {
			return nil, fmt.Errorf("is_collection needs an array")
		}
		return t, nil
	case []interface{}:
		if b.IsCollection || strings.ToLower(b.Encoding) == "safejson" {
			return M{"collection": t}, nil
		}
	default:
		if strings.ToLower(b.Encoding) == "safejson" {
			return M{"content": t}, nil
		}
	}
	return nil, fmt.Errorf("not an object")
}

func target(data M, path string) M {
	for _, part := range strings.Split(path, ".") {
		next, ok := data[part].(M)
		if !ok {
			return M{}
		}
		data = next
	}
	return data
}

// allow: a tree of the paths; a leaf keeps its whole branch.
func allowTree(paths []string) M {
	tree := M{}
	for _, p := range paths {
		parts := strings.Split(p, ".")
		d := tree
		walking := true
		for _, part := range parts[:len(parts)-1] {
			c, ok := d[part].(M)
			if !walking || !ok {
				walking = false
				c = M{}
				d[part] = c
			}
			d = c
		}
		d[parts[len(parts)-1]] = true
	}
	return tree
}

func prune(wl, in M) bool {
	all := true
	for k, v := range in {
		keep := false
		if sub, ok := wl[k]; ok {
			if subm, ok := sub.(M); ok {
				if vm, ok := v.(M); ok && !prune(subm, vm) {
					keep = true
				}
			} else {
				keep = true
			}
		}
		if keep {
			all = false
		} else {
			delete(in, k)
		}
	}
	return all
}

func deny(data M, path string) {
	parts := strings.Split(path, ".")
	for _, part := range parts[:len(parts)-1] {
		next, ok := data[part].(M)
		if !ok {
			return
		}
		data = next
	}
	delete(data, parts[len(parts)-1])
}

func format(data M, b backend) M {
	if b.Target != "" {
		data = target(data, b.Target)
	}
	if len(data) > 0 {
		if len(b.Allow) > 0 {
			prune(allowTree(b.Allow), data)
		} else {
			for _, p := range b.Deny {
				deny(data, p)
			}
		}
	}
	if len(data) > 0 {
		froms := make([]string, 0, len(b.Mapping))
		for f := range b.Mapping {
			froms = append(froms, f)
		}
		sort.Strings(froms) // the fixtures never chain names
		for _, f := range froms {
			if v, ok := data[f]; ok {
				to := strings.SplitN(b.Mapping[f], ".", 2)[0]
				data[to] = v
				delete(data, f)
			}
		}
	}
	if b.Group != "" {
		data = M{b.Group: data}
	}
	return data
}

func sign(key []byte, kid string, claims M) string {
	enc := base64.RawURLEncoding
	hdr, _ := json.Marshal(M{"alg": "HS256", "kid": kid, "typ": "JWT"})
	payload, _ := json.Marshal(claims)
	in := enc.EncodeToString(hdr) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(in))
	return in + "." + enc.EncodeToString(mac.Sum(nil))
}

func main() {
	var set struct {
		Keys []struct{ K string } `json:"keys"`
	}
	raw, err := os.ReadFile("../../../fcgi-conf/demo/symmetric.json")
	if err != nil || json.Unmarshal(raw, &set) != nil {
		panic("cannot read the demo key")
	}
	key, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].K)
	dirs, _ := filepath.Glob("[0-9][0-9]-*")
	for _, dir := range dirs {
		answer, err := os.ReadFile(filepath.Join(dir, "backend.json"))
		if err != nil {
			continue // a check-config fixture
		}
		var f fixture
		raw, _ := os.ReadFile(filepath.Join(dir, "krakend.json"))
		if err := json.Unmarshal(raw, &f); err != nil {
			panic(dir + ": " + err.Error())
		}
		ep := f.Endpoints[0]
		signer := ep.ExtraConfig["auth/signer"]
		data, err := decode(answer, ep.Backend[0])
		if err != nil {
			panic(dir + ": " + err.Error())
		}
		data = format(data, ep.Backend[0])
		for _, k := range signer.KeysToSign {
			if m, ok := data[k].(M); ok {
				data[k] = sign(key, signer.Kid, m)
			}
		}
		out, _ := json.Marshal(data)
		if err := os.WriteFile(filepath.Join(dir, "expected-answer.json"), out, 0644); err != nil {
			panic(err)
		}
		fmt.Printf("%s: %d bytes\n", dir, len(out))
	}
}
