console.log('cli: coming next');
