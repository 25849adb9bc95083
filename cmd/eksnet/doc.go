// Command eksnet plans pod networking capacity for Amazon EKS: max pods per
// instance type in every VPC CNI mode, node user data, and subnet plans.
package main
