#!/bin/sh
# tests/certs/mkpki.sh DIR - a throw-away test PKI for the seal, TLS and
# submission tests, generated at test time with the openssl CLI (never
# committed).  Every certificate has explicit dates, so the tests do not
# depend on the day they run (HOUKAN_NOW is pinned to 2026-11-21 in tests).
#
#   root.pem            Houkan Test Root CA (the operator's CA file)
#   inter.pem/.key      Houkan Test Intermediate CA (issues everything below)
#   station.p12         the station (1234567): digitalSignature+nonRepudiation, clientAuth,
#                       2025-01-01..2030-01-01, chain inside, AES-256, passphrase in pass.txt (0600)
#   station-legacy.p12  the same, exported with RC2-40 (-legacy)
#   station2.p12        another station of the same CA
#   expired, future, badku, sha1, weak, soon, self, rogue: .p12 (and .pem/.key) variants
#   server.pem/.key     127.0.0.1 + localhost; server-chain.pem = server + intermediate
#   server-{expired,wronghost,self,rogue}-chain.pem/.key
#   rogue-root.pem      an unrelated root ("untrusted root")
set -eu
D=${1:?usage: mkpki.sh DIR}
mkdir -p "$D"
cd "$D"
umask 077
export CADIR=.
PASS='marker-PASSPHRASE-7f3a9c'
printf '%s\n' "$PASS" > pass.txt
chmod 600 pass.txt

cat > ca.cnf <<'CNF'
[ca]
default_ca = ca_any
[ca_any]
database = $ENV::CADIR/index.txt
serial = $ENV::CADIR/serial
new_certs_dir = $ENV::CADIR
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[policy_any]
commonName = supplied
organizationName = optional
countryName = optional
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_inter]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_station]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_self]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
[v3_badku]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_server_self]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[v3_wronghost]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:claims.example.invalid
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

key() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2:-2048}" -out "$1.key" 2>/dev/null; }
# ca_dir NAME: a fresh openssl-ca state directory
ca_dir() { mkdir -p "ca-$1"; : > "ca-$1/index.txt"; [ -f "ca-$1/serial" ] || echo 1000 > "ca-$1/serial"; }
# issue OUT KEY CN ISSUER EXT START END [MD]   (ISSUER "self" = self-signed)
issue() {
	out=$1 k=$2 cn=$3 iss=$4 ext=$5 start=$6 end=$7 md=${8:-sha256}
	openssl req -new -config ca.cnf -key "$k.key" -subj "/O=Houkan Test/CN=$cn" -out "$out.csr" 2>/dev/null
	ca_dir "$iss"
	if [ "$iss" = self ]; then
		CADIR="ca-self" openssl ca -batch -config ca.cnf -notext -selfsign -keyfile "$k.key" \
			-in "$out.csr" -out "$out.pem" -extensions "$ext" -startdate "$start" -enddate "$end" -md "$md" 2>/dev/null
	else
		CADIR="ca-$iss" openssl ca -batch -config ca.cnf -notext -cert "$iss.pem" -keyfile "$iss.key" \
			-in "$out.csr" -out "$out.pem" -extensions "$ext" -startdate "$start" -enddate "$end" -md "$md" 2>/dev/null
	fi
	rm -f "$out.csr"
}
p12() { # p12 NAME KEY [extra args]
	n=$1 k=$2; shift 2
	openssl pkcs12 -export -in "$n.pem" -inkey "$k.key" -certfile chain.pem -name "$n" \
		-passout file:pass.txt -out "$n.p12" "$@" 2>/dev/null
	chmod 600 "$n.p12"
}

V0=20250101000000Z V1=20300101000000Z
key root;  issue root root "Houkan Test Root CA" self v3_root 20240101000000Z 20400101000000Z
key inter; issue inter inter "Houkan Test Intermediate CA" root v3_inter 20240101000000Z 20400101000000Z
cat inter.pem root.pem > chain.pem
key station
issue station station "1234567 Test Station" inter v3_station $V0 $V1
issue expired station "1234567 Expired Station" inter v3_station 20200101000000Z 20210101000000Z
issue future station "1234567 Future Station" inter v3_station 20400101000000Z 20450101000000Z
issue badku station "1234567 Bad Key Usage" inter v3_badku $V0 $V1
issue sha1 station "1234567 SHA1 Station" inter v3_station $V0 $V1 sha1
issue soon station "1234567 Expiring Station" inter v3_station $V0 20261210000000Z
issue self station "1234567 Self-signed Station" self v3_self $V0 $V1
key station2; issue station2 station2 "7654321 Other Station" inter v3_station $V0 $V1
key weak 1024; issue weak weak "1234567 Weak Key Station" inter v3_station $V0 $V1
key rogue-root; issue rogue-root rogue-root "Rogue Root CA" self v3_root 20240101000000Z 20400101000000Z
key rogue; issue rogue rogue "1234567 Rogue Station" rogue-root v3_station $V0 $V1
for n in station expired future badku sha1 soon; do p12 $n station; done
p12 station2 station2; p12 weak weak
openssl pkcs12 -export -in self.pem -inkey station.key -name self -passout file:pass.txt -out self.p12 2>/dev/null
openssl pkcs12 -export -in rogue.pem -inkey rogue.key -certfile rogue-root.pem -name rogue \
	-passout file:pass.txt -out rogue.p12 2>/dev/null
openssl pkcs12 -export -legacy -in station.pem -inkey station.key -certfile chain.pem -name station \
	-passout file:pass.txt -out station-legacy.p12 2>/dev/null
chmod 600 ./*.p12

key server
issue server server "localhost" inter v3_server $V0 $V1
issue server-expired server "localhost" inter v3_server 20200101000000Z 20210101000000Z
issue server-wronghost server "claims.example.invalid" inter v3_wronghost $V0 $V1
issue server-self server "localhost" self v3_server_self $V0 $V1
issue server-rogue rogue "localhost" rogue-root v3_server $V0 $V1
for n in server server-expired server-wronghost; do cat $n.pem inter.pem > $n-chain.pem; cp server.key $n-chain.key; done
cp server-self.pem server-self-chain.pem; cp server.key server-self-chain.key
cat server-rogue.pem > server-rogue-chain.pem; cp rogue.key server-rogue-chain.key
rm -rf ca-*
