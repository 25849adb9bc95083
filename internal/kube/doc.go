// Package kube reads what kubectl prints about a cluster: the aws-node
// DaemonSet (the VPC CNI's settings, through cni.FromEnv), the nodes (type,
// zone, OS, capacity and allocatable) and the ENIConfigs. It decodes only
// the fields eksnet uses and checks them; it talks to no cluster.
package kube
