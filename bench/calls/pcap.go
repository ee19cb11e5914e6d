//go:build linux

package main

import (
	"bufio"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"time"

	"github.com/anxin-care/anxin/media"
)

// pcapPort is the UDP port in the pcap; SIPp replaces it (and the
// addresses) when it plays the file.
const pcapPort = 6000

// writePCAP writes length of the elder's stream to path as Ethernet,
// IPv4 and UDP frames, each captured at its 20 ms offset, for SIPp's
// play_pcap_audio: SIPp sends them at those offsets from the start of the
// play, from the port the SDP answer gave.
func writePCAP(path string, v *voice, length time.Duration) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	// Global header: little-endian, version 2.4, snap length, Ethernet.
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 1)
	w.Write(hdr)
	ssrc, seq, ts := rand.Uint32(), uint16(rand.Uint32()), rand.Uint32()
	var pkt []byte
	for n := 0; n < int(length/media.FrameDuration); n++ {
		var copies int
		pkt, copies = v.frame(pkt[:0], n, ssrc, seq, ts)
		for range copies {
			writeFrame(w, time.Duration(n)*media.FrameDuration, pkt)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeFrame writes one pcap record: the RTP packet rtp in UDP, IPv4 and
// Ethernet headers, captured at offset at.
func writeFrame(w *bufio.Writer, at time.Duration, rtp []byte) {
	udpLen := 8 + len(rtp)
	ipLen := 20 + udpLen
	frame := make([]byte, 14+ipLen)
	copy(frame[0:12], []byte{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}) // made-up MAC addresses
	binary.BigEndian.PutUint16(frame[12:], 0x0800)                // IPv4
	ip := frame[14:]
	ip[0], ip[8], ip[9] = 0x45, 64, 17 // version 4, 20-byte header; TTL; UDP
	binary.BigEndian.PutUint16(ip[2:], uint16(ipLen))
	copy(ip[12:20], []byte{127, 0, 0, 1, 127, 0, 0, 1})
	binary.BigEndian.PutUint16(ip[10:], ipChecksum(ip[:20]))
	udp := ip[20:]
	binary.BigEndian.PutUint16(udp[0:], pcapPort)
	binary.BigEndian.PutUint16(udp[2:], pcapPort)
	binary.BigEndian.PutUint16(udp[4:], uint16(udpLen))
	copy(udp[8:], rtp)

	rec := make([]byte, 16)
	binary.LittleEndian.PutUint32(rec[0:], uint32(at/time.Second))
	binary.LittleEndian.PutUint32(rec[4:], uint32(at%time.Second/time.Microsecond))
	binary.LittleEndian.PutUint32(rec[8:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(rec[12:], uint32(len(frame)))
	w.Write(rec)
	w.Write(frame)
}

// ipChecksum is the IPv4 header checksum.
func ipChecksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
