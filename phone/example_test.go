package phone_test

import (
	"errors"
	"fmt"

	"github.com/anxin-care/anxin/phone"
)

func ExampleNormalize() {
	for _, raw := range []string{
		"+86 138-1234-5678",
		"１３８１２３４５６７８",
		"1.3812345678E+10",
		"(021)6254 1234",
		"6254 1234 转 8001",
		"95588",
	} {
		n, err := phone.Normalize(raw, "021")
		switch {
		case errors.Is(err, phone.ErrService):
			fmt.Println("service number")
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Println(n)
		}
	}
	// Output:
	// 13812345678
	// 13812345678
	// 13812345678
	// 021-62541234
	// 021-62541234
	// service number
}

func ExampleCandidates() {
	fmt.Println(phone.Candidates("62541234", phone.AreaCode("3101")))
	fmt.Println(phone.Candidates("013812345678", "021"))
	fmt.Println(len(phone.Candidates("anonymous", "021")))
	// Output:
	// [021-62541234]
	// [13812345678]
	// 0
}

func ExampleMask() {
	fmt.Println(phone.Mask("13812345678"))
	fmt.Println(phone.Mask("021-62541234"))
	// Output:
	// 138****5678
	// 021-****1234
}

func ExampleTail() {
	fmt.Println(phone.Tail("021-62541234", 4))
	// Output: 1234
}
