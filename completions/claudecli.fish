# claudecli shell completion (`claudecli completion SHELL`); do not edit.
complete --command claudecli --no-files --arguments "(env _CLAUDECLI_COMPLETE=complete_fish _TYPER_COMPLETE_FISH_ACTION=get-args _TYPER_COMPLETE_ARGS=(commandline -cp) claudecli)" --condition "env _CLAUDECLI_COMPLETE=complete_fish _TYPER_COMPLETE_FISH_ACTION=is-args _TYPER_COMPLETE_ARGS=(commandline -cp) claudecli"
