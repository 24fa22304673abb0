#!/bin/sh
# A deploy command for blue-green on a real server (command driver): install the version, point
# the slot at it, restart the slot's unit. deploy-actions passes DEPLOY_VERSION, DEPLOY_SLOT,
# DEPLOY_SLOT_ADDRESS and DEPLOY_SLOT_PORT; users keep reaching the other slot meanwhile.
set -eu
release="/srv/app/releases/$DEPLOY_VERSION"
if [ ! -d "$release" ]; then
  mkdir -p "$release"
  tar -xzf "/srv/app/artifacts/$DEPLOY_VERSION.tar.gz" -C "$release"
fi
ln -sfn "$release" "/srv/app/$DEPLOY_SLOT.new" && mv -T "/srv/app/$DEPLOY_SLOT.new" "/srv/app/$DEPLOY_SLOT"
systemctl restart "app@$DEPLOY_SLOT"
