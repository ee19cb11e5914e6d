package password

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h := Hasher{Fast}
	enc, err := h.Hash("正确的马电池订书钉")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("encoding %q", enc)
	}
	if ok, err := Verify(enc, "正确的马电池订书钉"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := Verify(enc, "wrong"); ok {
		t.Fatal("wrong password accepted")
	}
	enc2, _ := h.Hash("正确的马电池订书钉")
	if enc2 == enc {
		t.Fatal("same salt twice")
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, enc := range []string{"", "x", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=9999999,t=1,p=1$AA$AA", "$argon2id$v=19$m=1024,t=1,p=1$!!$AA"} {
		if ok, err := Verify(enc, "pw"); ok || err != ErrMalformed {
			t.Errorf("%q: ok=%v err=%v", enc, ok, err)
		}
	}
}

func TestGenerate(t *testing.T) {
	p := Generate()
	if len(p) != 19 || strings.Count(p, "-") != 3 {
		t.Fatalf("generated %q", p)
	}
	if Generate() == p {
		t.Fatal("not random")
	}
	if Digest("a") == Digest("b") || len(Digest("a")) != 64 {
		t.Fatal("digest")
	}
}
