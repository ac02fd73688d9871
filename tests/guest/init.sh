#!/bin/sh
# /init of the faultcore test guest (busybox). Loads the storage modules,
# waits for a disk, runs /test.sh between markers, prints the kernel log lines
# the test produced, and powers off. run-guest.sh appends a cpio that
# replaces /test.sh; the one baked in reads LBAs 1000..1031 of /dev/sda.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp

arg() { # arg NAME DEFAULT: value of NAME= on the kernel command line
  for w in $(cat /proc/cmdline); do
    case "$w" in "$1"=*) echo "${w#*=}"; return;; esac
  done
  echo "$2"
}

echo "FCTEST-BOOT uptime=$(cut -d' ' -f1 /proc/uptime)"
while read -r m; do
  [ -n "$m" ] || continue
  insmod "/lib/modules/$m" 2>/tmp/insmod.err || echo "FCTEST-MODULE-FAILED $m: $(cat /tmp/insmod.err)"
done < /lib/modules/load.order

# Wait for the disk the test names (fctest.disk=, default sda).
disk=$(arg fctest.disk sda)
wait_s=$(arg fctest.wait 30)
i=0
while [ ! -b "/dev/$disk" ] && [ "$i" -lt $((wait_s * 10)) ]; do
  sleep 0.1; i=$((i + 1))
done
if [ -b "/dev/$disk" ]; then
  echo "FCTEST-DISK /dev/$disk size=$(cat /sys/block/$disk/size 2>/dev/null) uptime=$(cut -d' ' -f1 /proc/uptime)"
else
  echo "FCTEST-NODISK /dev/$disk after ${wait_s}s; block devices: $(ls /sys/block | tr '\n' ' ')"
fi

dmesg_before=$(dmesg | wc -l)
echo "FCTEST-BEGIN"
DISK=/dev/$disk sh /test.sh
echo "FCTEST-RC $?"
echo "FCTEST-END"
echo "FCTEST-DMESG-BEGIN"
dmesg | tail -n +$((dmesg_before + 1))
echo "FCTEST-DMESG-END"
echo "FCTEST-POWEROFF uptime=$(cut -d' ' -f1 /proc/uptime)"
sync
poweroff -f
