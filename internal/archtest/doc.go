// Package archtest keeps the layering of the design: pure packages never
// import the AWS SDK or the command-line libraries.
package archtest
