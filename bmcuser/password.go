package bmcuser

import (
	"crypto/rand"
	"fmt"
	"math/big"
)

// GeneratedPasswordLength is the length of GeneratePassword's passwords:
// 16 characters fit every BMC's limit (the IPMI 1.5 form, and vendors that
// cap web-UI passwords at 16 or 19) and carry 95 bits.
const GeneratedPasswordLength = 16

const passwordAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// GeneratePassword returns a random password of letters and digits from
// crypto/rand with at least one upper-case letter, one lower-case letter
// and one digit (the complexity rules of Dell iDRAC, HPE iLO and Lenovo
// XCC accept it). Letters and digits only: no character needs quoting in a
// shell, a CSV cell, YAML or a Kubernetes Secret.
func GeneratePassword() (string, error) {
	max := big.NewInt(int64(len(passwordAlphabet)))
	for {
		b := make([]byte, GeneratedPasswordLength)
		for i := range b {
			n, err := rand.Int(rand.Reader, max)
			if err != nil {
				return "", fmt.Errorf("generate BMC password: %w", err)
			}
			b[i] = passwordAlphabet[n.Int64()]
		}
		var upper, lower, digit bool
		for _, c := range b {
			upper = upper || c >= 'A' && c <= 'Z'
			lower = lower || c >= 'a' && c <= 'z'
			digit = digit || c >= '0' && c <= '9'
		}
		if upper && lower && digit {
			return string(b), nil
		}
	}
}
