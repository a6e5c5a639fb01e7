# zsh drive.zsh DIR WORDS...: what zsh's completion makes of WORDS<TAB>
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; PS1='> '; nsnet() { :; }"
sleep 0.3
zpty -w -n z "$2"$'\t'
sleep 0.5
zpty -w -n z $'\C-aprint -r -- "[\C-e]"\n'
sleep 0.3
out=""
while zpty -r -t z line; do out+=$line; done
zpty -d z
print -r -- ${(M)${(f)out}:#\[*\]*}
