# zsh zsh-complete.zsh DIR WORDS: what zsh's completion (with DIR on its
# fpath) makes of the command line WORDS followed by TAB, printed as
# "[LINE]". Each step waits for what it expects (at most 10 s each): a
# loaded machine starts zsh and compinit slowly.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; PS1='> '; nsnet() { :; }; print READY-\$((6*7))"
# wait until compinit is done (READY-42: the output, not the echoed command)
buf=""
for i in {1..200}; do
	while zpty -r -t z line; do buf+=$line; done
	[[ $buf == *READY-42* ]] && break
	sleep 0.05
done
zpty -w -n z "$2"$'\t'
sleep 1
zpty -w -n z $'\C-aprint -r -- "[\C-e]"\n'
out=""
for i in {1..100}; do
	while zpty -r -t z line; do out+=$line; done
	[[ $out == *$'\n['*']'* ]] && break
	sleep 0.1
done
zpty -d z
print -r -- ${(M)${(f)out}:#\[*\]*}
