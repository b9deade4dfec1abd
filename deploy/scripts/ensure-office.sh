#!/usr/bin/env bash
# LibreOffice (headless Writer and Calc), poppler-utils and a Times New Roman for the test that
# renders every document, .docx and the statistics forms' .xlsx, to PDF and PNG. Installs them when missing and this runs as root with apt;
# otherwise says why (the test then skips with that reason, or fails when installing was
# possible). The documents are set in Times New Roman (NĐ30); without it or Liberation Serif,
# its metric twin, LibreOffice prints a wider face and the page is not the one a clerk sees.
set -u
need=()
for tool in soffice pdftoppm pdftotext pdfinfo; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
times_like() {
  command -v fc-match >/dev/null 2>&1 &&
    fc-match -f '%{family}' 'Times New Roman' | grep -q -E 'Times New Roman|Liberation Serif'
}
times_like || need+=("Times New Roman")
# Calc's library sits beside soffice; without it the .xlsx forms cannot be converted.
calc() {
  command -v soffice >/dev/null 2>&1 &&
    [ -e "$(dirname "$(readlink -f "$(command -v soffice)")")/libsclo.so" ]
}
calc || need+=("LibreOffice Calc")
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
  echo "ensure-office: ${need[*]} missing and cannot be installed here (needs root and apt-get);" \
       "the PDF rendering test will be skipped with this reason" >&2
  exit 0
fi
echo "ensure-office: installing LibreOffice Writer and Calc (headless), poppler-utils and fonts-liberation for ${need[*]}"
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
install() {
  apt-get install -y --no-install-recommends "$1-writer$2" "$1-calc$2" poppler-utils \
    fonts-liberation >/dev/null
}
# -nogui exists from Debian 12 / Ubuntu 22.04; older releases only have the full programs.
install libreoffice -nogui || {
  apt-get update >/dev/null && { install libreoffice -nogui || install libreoffice ""; }
} || { echo "ensure-office: apt-get could not install LibreOffice" >&2; exit 1; }
echo "ensure-office: installed in $(( $(date +%s) - start )) s"
