package media

// This file implements ITU-T G.711 bit-exactly as the ITU's reference code
// (G.191 Software Tools Library, g711.c) does: μ-law looks at the 14 most
// significant bits of a sample and A-law at the 12 most significant bits,
// both taking the one's complement of negative samples. Because only those
// bits matter, encoding is one lookup in a table indexed by the top bits of
// the sample (16 KiB for μ-law, 4 KiB for A-law, built once when the program
// starts), and decoding is one lookup in a 256-entry table.

var (
	ulawDecodeTable = makeDecodeTable(ulawExpand)
	alawDecodeTable = makeDecodeTable(alawExpand)
	ulawEncodeTable = (*[1 << 14]byte)(makeEncodeTable(14, ulawCompress))
	alawEncodeTable = (*[1 << 12]byte)(makeEncodeTable(12, alawCompress))
)

// EncodeUlaw encodes the 16-bit linear samples of src to G.711 μ-law, one
// byte per sample, into dst. It panics if dst is shorter than src. It does
// not allocate.
func EncodeUlaw(dst []byte, src []int16) {
	if len(dst) < len(src) {
		panic("media: EncodeUlaw: dst shorter than src")
	}
	dst = dst[:len(src)]
	for i, s := range src {
		dst[i] = ulawEncodeTable[uint16(s)>>2]
	}
}

// DecodeUlaw decodes the G.711 μ-law bytes of src to 16-bit linear samples
// into dst. It panics if dst is shorter than src. It does not allocate.
func DecodeUlaw(dst []int16, src []byte) {
	if len(dst) < len(src) {
		panic("media: DecodeUlaw: dst shorter than src")
	}
	dst = dst[:len(src)]
	for i, b := range src {
		dst[i] = ulawDecodeTable[b]
	}
}

// EncodeAlaw encodes the 16-bit linear samples of src to G.711 A-law, one
// byte per sample, into dst. It panics if dst is shorter than src. It does
// not allocate.
func EncodeAlaw(dst []byte, src []int16) {
	if len(dst) < len(src) {
		panic("media: EncodeAlaw: dst shorter than src")
	}
	dst = dst[:len(src)]
	for i, s := range src {
		dst[i] = alawEncodeTable[uint16(s)>>4]
	}
}

// DecodeAlaw decodes the G.711 A-law bytes of src to 16-bit linear samples
// into dst. It panics if dst is shorter than src. It does not allocate.
func DecodeAlaw(dst []int16, src []byte) {
	if len(dst) < len(src) {
		panic("media: DecodeAlaw: dst shorter than src")
	}
	dst = dst[:len(src)]
	for i, b := range src {
		dst[i] = alawDecodeTable[b]
	}
}

// ulawCompress is G.191's ulaw_compress for one sample.
func ulawCompress(s int16) byte {
	v := int32(s)
	if v < 0 {
		v = ^v
	}
	abs := v>>2 + 33
	if abs > 0x1FFF {
		abs = 0x1FFF
	}
	seg := int32(1)
	for i := abs >> 6; i != 0; i >>= 1 {
		seg++
	}
	high := 8 - seg
	low := 0xF - (abs>>seg)&0xF
	out := byte(high<<4 | low)
	if s >= 0 {
		out |= 0x80
	}
	return out
}

// ulawExpand is G.191's ulaw_expand for one byte.
func ulawExpand(b byte) int16 {
	m := ^int32(b)
	exp := (m >> 4) & 7
	mant := m & 0xF
	step := int32(4) << (exp + 1)
	v := 0x80<<exp + step*mant + step/2 - 4*33
	if b < 0x80 {
		v = -v
	}
	return int16(v)
}

// alawCompress is G.191's alaw_compress for one sample.
func alawCompress(s int16) byte {
	v := int32(s)
	if v < 0 {
		v = ^v
	}
	ix := v >> 4
	if ix > 15 {
		exp := int32(1)
		for ix > 16+15 {
			ix >>= 1
			exp++
		}
		ix -= 16
		ix += exp << 4
	}
	if s >= 0 {
		ix |= 0x80
	}
	return byte(ix) ^ 0x55
}

// alawExpand is G.191's alaw_expand for one byte.
func alawExpand(b byte) int16 {
	ix := int32(b^0x55) & 0x7F
	exp := ix >> 4
	mant := ix & 0xF
	if exp > 0 {
		mant += 16
	}
	mant = mant<<4 + 8
	if exp > 1 {
		mant <<= exp - 1
	}
	if b < 0x80 {
		mant = -mant
	}
	return int16(mant)
}

func makeDecodeTable(expand func(byte) int16) *[256]int16 {
	var t [256]int16
	for i := range t {
		t[i] = expand(byte(i))
	}
	return &t
}

// makeEncodeTable tabulates compress for every value of the top bits of a
// 16-bit sample; entry i is compress of the sample whose top bits are i.
func makeEncodeTable(bits uint, compress func(int16) byte) []byte {
	t := make([]byte, 1<<bits)
	for i := range t {
		t[i] = compress(int16(uint16(i) << (16 - bits)))
	}
	return t
}
